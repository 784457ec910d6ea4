package io.tollgate.envoy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * envoyproxy/ratelimit itself, the reference, with a redis-server of its own, on free ports: the
 * binary {@code TOLLGATE_RL_BIN} names (built by {@code ../shared/peers/envoy-ratelimit/build.sh});
 * without it the tests that compare with it are skipped, or fail when {@code TOLLGATE_REQUIRE_REFERENCE=1}.
 */
final class Reference implements AutoCloseable {

  final int grpcPort;
  final int httpPort;
  private final Process redis;
  private final Process ratelimit;
  private final Path log;

  private Reference(int grpcPort, int httpPort, Process redis, Process ratelimit, Path log) {
    this.grpcPort = grpcPort;
    this.httpPort = httpPort;
    this.redis = redis;
    this.ratelimit = ratelimit;
    this.log = log;
  }

  /** The reference's binary, or the test is skipped (failed when it is required). */
  static Path binary() {
    String bin = System.getenv("TOLLGATE_RL_BIN");
    boolean required = "1".equals(System.getenv("TOLLGATE_REQUIRE_REFERENCE"));
    if (bin == null || !Files.isExecutable(Path.of(bin))) {
      String why = "envoyproxy/ratelimit not found: set TOLLGATE_RL_BIN to the binary "
          + "../shared/peers/envoy-ratelimit/build.sh builds (was " + bin + ")";
      if (required) {
        throw new IllegalStateException(why);
      }
      Assumptions.abort(why);
    }
    return Path.of(bin);
  }

  /** Starts the reference on the configuration files of {@code configDir} (every file in it is read). */
  static Reference start(Path configDir, Path work) throws IOException, InterruptedException {
    Path bin = binary();
    int redisPort = freePort();
    Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile())
        .start();
    int grpc = freePort();
    int http = freePort();
    Path log = work.resolve("ratelimit.log");
    ProcessBuilder pb = new ProcessBuilder(bin.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.remove("RUNTIME_SUBDIRECTORY");
    env.put("USE_STATSD", "false");
    env.put("LOG_LEVEL", "warn");
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(http));
    env.put("GRPC_HOST", "127.0.0.1");
    env.put("GRPC_PORT", Integer.toString(grpc));
    env.put("DEBUG_HOST", "127.0.0.1");
    env.put("DEBUG_PORT", Integer.toString(freePort()));
    env.put("BACKEND_TYPE", "redis");
    env.put("REDIS_SOCKET_TYPE", "tcp");
    env.put("REDIS_TYPE", "SINGLE");
    env.put("REDIS_URL", "127.0.0.1:" + redisPort);
    Path dir = configDir.toRealPath();
    env.put("RUNTIME_ROOT", dir.getParent().toString());
    env.put("RUNTIME_APPDIRECTORY", dir.getFileName().toString());
    env.put("RUNTIME_WATCH_ROOT", "false");
    env.put("RUNTIME_IGNOREDOTFILES", "true");
    Process ratelimit = pb.start();
    Reference r = new Reference(grpc, http, redis, ratelimit, log);
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        HttpResponse<String> h = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/healthcheck"))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (h.statusCode() == 200) {
          return r;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!ratelimit.isAlive() || System.nanoTime() > deadline) {
        r.close();
        throw new IllegalStateException("envoyproxy/ratelimit did not start: " + Files.readString(log));
      }
      ratelimit.waitFor(50, TimeUnit.MILLISECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    ratelimit.destroy();
    ratelimit.waitFor(5, TimeUnit.SECONDS);
    redis.destroy();
    redis.waitFor(5, TimeUnit.SECONDS);
  }
}
