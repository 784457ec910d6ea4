package io.tollgate.redis;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} process on a free port, started by a test and stopped with it. Where
 * the binary is missing the test is skipped with a loud message, unless {@code TOLLGATE_REQUIRE_REDIS=1}
 * (as {@code .ci/run} sets): then it fails.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final List<String> extraArgs;
  private Process process;

  private RedisServer(Path dir, int port, List<String> extraArgs) {
    this.dir = dir;
    this.port = port;
    this.extraArgs = extraArgs;
  }

  /** Starts a standalone server; {@code extraArgs} are redis-server options ({@code --cluster-enabled yes}). */
  public static RedisServer start(String... extraArgs) throws IOException {
    requireBinary();
    RedisServer s = new RedisServer(Files.createTempDirectory("tollgate-redis"), freePort(), List.of(extraArgs));
    s.launch();
    return s;
  }

  /**
   * A server for a free port, not started: what a store meets when Redis is down at its start;
   * {@link #restart()} starts it.
   */
  public static RedisServer notStartedYet() throws IOException {
    requireBinary();
    return new RedisServer(Files.createTempDirectory("tollgate-redis"), freePort(), List.of());
  }

  private static RedisServer shared;

  /**
   * One server for every test of this JVM that only needs a Redis (each keeps to its own key
   * prefix); it stops when the JVM exits.
   */
  public static synchronized RedisServer shared() throws IOException {
    if (shared == null) {
      RedisServer s = start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> s.process.destroyForcibly()));
      shared = s;
    }
    return shared;
  }

  /** Skips the calling test when redis-server is missing, or fails it when Redis is required. */
  public static void requireBinary() {
    if (onPath("redis-server")) {
      return;
    }
    String message = "\n\n*** redis-server is not installed: the Redis tests are SKIPPED (apt-get install -y redis-server;"
        + " .ci/run does it, and sets TOLLGATE_REQUIRE_REDIS=1 so that they fail instead) ***\n";
    if ("1".equals(System.getenv("TOLLGATE_REQUIRE_REDIS"))) {
      fail(message);
    }
    System.err.println(message);
    Assumptions.abort(message);
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, binary))) {
        return true;
      }
    }
    return false;
  }

  private void launch() throws IOException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--logfile", dir.resolve("redis.log").toString()));
    command.addAll(extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"+PONG".equals(command("PING"))) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        fail("redis-server did not start on port " + port + ": " + Files.readString(dir.resolve("stdout.log")));
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once (SIGKILL), as a crash would; {@link #restart()} brings it back, empty. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung Redis. */
  public void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a frozen server go on (SIGCONT). */
  public void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * Waits for {@code condition}, checking every 5 ms, and fails when it is not true within 20 s:
   * for what a test cannot drive with a fake clock (a reconnection, a server coming back).
   */
  public static void await(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within 20 s: " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
  }

  /** Starts the server (again) on its port. */
  public void restart() throws IOException {
    launch();
  }

  /**
   * Sends one inline command and returns the first line of the answer, or {@code null} when the
   * server cannot be reached. Enough for PING, FLUSHALL, CLUSTER INFO's first line and the like.
   */
  public String command(String inline) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c; (c = in.read()) != -1 && c != '\n'; ) {
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    } catch (IOException e) {
      return null;
    }
  }

  /** Redis's clock (TIME), in whole seconds since the epoch. */
  public long epochSeconds() throws IOException, InterruptedException {
    return Long.parseLong(cli("TIME").lines().findFirst().orElseThrow().trim());
  }

  /** The output of {@code redis-cli -p port ARGS...}. */
  public String cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(30, TimeUnit.SECONDS);
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
