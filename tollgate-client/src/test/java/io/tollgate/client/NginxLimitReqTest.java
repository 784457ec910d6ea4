package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client against a server no one here wrote: nginx (Debian's package) with {@code limit_req},
 * started on a free port. It sends no rate-limit headers, only 503 on a refusal; time is real here.
 * nginx missing: skipped with a loud message, or failed when {@code TOLLGATE_REQUIRE_NGINX=1}
 * (.ci/run installs it and sets that).
 */
class NginxLimitReqTest {

  private static Process nginx;
  private static Path dir;
  private static String base;

  @BeforeAll
  static void start() throws Exception {
    Path binary = Files.isExecutable(Path.of("/usr/sbin/nginx")) ? Path.of("/usr/sbin/nginx") : null;
    if (binary == null) {
      String message = "\n*** nginx not found at /usr/sbin/nginx: the nginx tests are SKIPPED. Install it"
          + " (apt-get install -y nginx-light); .ci/run does, and sets TOLLGATE_REQUIRE_NGINX=1 so that they fail instead ***\n";
      if ("1".equals(System.getenv("TOLLGATE_REQUIRE_NGINX"))) {
        throw new IllegalStateException(message);
      }
      System.err.println(message);
      Assumptions.abort(message);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    dir = Files.createTempDirectory("tollgate-nginx");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // workers run as nobody
    // Per location (one for each test, so neither inherits the other's bucket): 5 per second, a
    // burst of 5 more served at once; beyond that 503, nginx's default, and no header. A static file,
    // not `return`, which would answer before limit_req runs.
    Path root = Files.createDirectories(dir.resolve("root"));
    for (String test : new String[] {"declared", "unknown", "adaptive"}) {
      Files.writeString(root.resolve(test), "ok\n");
    }
    Files.writeString(dir.resolve("nginx.conf"), "worker_processes 1; daemon off; pid " + dir.resolve("nginx.pid")
        + "; error_log " + dir.resolve("error.log") + ";\n"
        + "events { worker_connections 256; }\n"
        + "http { access_log off;\n"
        + "  limit_req_zone $binary_remote_addr zone=declared:1m rate=5r/s;\n"
        + "  limit_req_zone $binary_remote_addr zone=unknown:1m rate=5r/s;\n"
        + "  limit_req_zone $binary_remote_addr zone=adaptive:1m rate=10r/s;\n"
        + "  server { listen 127.0.0.1:" + port + "; root " + root + ";\n"
        + "    location /declared { limit_req zone=declared burst=5 nodelay; }\n"
        + "    location /unknown { limit_req zone=unknown burst=5 nodelay; }\n"
        + "    location /adaptive { limit_req zone=adaptive burst=5 nodelay; } } }\n");
    nginx = new ProcessBuilder(binary.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        break;
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !nginx.isAlive()) {
          throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("error.log")), e);
        }
        Thread.onSpinWait();
      }
    }
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(10, TimeUnit.SECONDS);
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static int get(TollgateClient c, String path) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Test
  void aLimitDeclaredUpFrontGetsEveryRequestThroughWithoutOneRefusal() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    TollgateClient c = TollgateClient.builder().declare(TollgateClient.hostPort(URI.create(base)), "5/1s")
        .listener(new Listener() {
          @Override
          public void refused(HttpRequest request, int status) {
            refused.incrementAndGet();
          }
        }).build();
    long start = System.nanoTime();
    for (int i = 0; i < 15; i++) {
      assertThat(get(c, "/declared")).isEqualTo(200);
    }
    assertThat(refused.get()).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("three windows of five")
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void knowingNothingItRecoversFromEach503WithinItsAttempts() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    TollgateClient c = TollgateClient.builder().maxAttempts(8)
        .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2)))
        .listener(new Listener() {
          @Override
          public void refused(HttpRequest request, int status) {
            assertThat(status).isEqualTo(503);
            refused.incrementAndGet();
          }
        }).build();
    for (int i = 0; i < 20; i++) {
      assertThat(get(c, "/unknown")).as("request " + i).isEqualTo(200);
    }
    assertThat(refused.get()).as("it had to learn the limit by refusals").isPositive();
  }

  /**
   * A steady workload (8 callers, each sending its next request when the last is answered) against
   * 10 per second with a burst of 5 and no header: adaptive pacing learns the rate from the 503s and
   * settles under it. Once 40 requests have gone through, fewer than 5% of the requests that follow
   * are refused.
   */
  @Test
  void adaptivePacingSettlesUnderTheRateOfAServerThatSaysNothing() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger through = new AtomicInteger();
    AtomicInteger refusedWhenSteady = new AtomicInteger(-1);
    TollgateClient c = TollgateClient.builder().adaptive(true).maxAttempts(20).listener(new Listener() {
      @Override
      public void refused(HttpRequest request, int status) {
        refused.incrementAndGet();
      }
    }).build();
    int callers = 8;
    int each = 20;
    java.util.List<java.util.concurrent.CompletableFuture<Void>> loops = new java.util.ArrayList<>();
    for (int k = 0; k < callers; k++) {
      java.util.concurrent.CompletableFuture<Void> loop = java.util.concurrent.CompletableFuture.completedFuture(null);
      for (int i = 0; i < each; i++) {
        loop = loop.thenCompose(x -> c.sendAsync(HttpRequest.newBuilder(URI.create(base + "/adaptive")).build(),
            HttpResponse.BodyHandlers.discarding())).thenAccept(r -> {
              assertThat(r.statusCode()).isEqualTo(200);
              if (through.incrementAndGet() == 40) {
                refusedWhenSteady.set(refused.get());
              }
            });
      }
      loops.add(loop);
    }
    java.util.concurrent.CompletableFuture.allOf(loops.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
        .get(60, TimeUnit.SECONDS);
    int steadyRequests = callers * each - 40;
    int steadyRefusals = refused.get() - refusedWhenSteady.get();
    System.out.printf("adaptive: %d refusals in all, %d of the last %d requests (%s)%n", refused.get(), steadyRefusals,
        steadyRequests, c.snapshot());
    assertThat(steadyRefusals).as("refusals once steady").isLessThan(steadyRequests * 5 / 100);
    assertThat(c.snapshot().values().iterator().next().pacedRate()).isPresent();
  }
}
