package io.tollgate.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's nginx, started by a test on a configuration of its own in a temporary directory. nginx
 * missing: the test is skipped with a loud message, or fails when {@code TOLLGATE_REQUIRE_NGINX=1}
 * (.ci/run installs it and sets that).
 */
final class Nginx implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/sbin/nginx");

  private final Process process;
  private final Path dir;

  private Nginx(Process process, Path dir) {
    this.process = process;
    this.dir = dir;
  }

  /** A free port to put in a configuration. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts nginx with {@code http} as the body of its {@code http {}} block, and waits until it
   * listens on {@code port}.
   */
  static Nginx start(String http, int port) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      String message = "\n*** nginx not found at /usr/sbin/nginx: the nginx tests are SKIPPED. Install it"
          + " (apt-get install -y nginx-light); .ci/run does, and sets TOLLGATE_REQUIRE_NGINX=1 so that they fail instead ***\n";
      if ("1".equals(System.getenv("TOLLGATE_REQUIRE_NGINX"))) {
        throw new IllegalStateException(message);
      }
      System.err.println(message);
      Assumptions.abort(message);
    }
    Path dir = Files.createTempDirectory("tollgate-nginx");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // workers run as nobody
    Files.writeString(dir.resolve("nginx.conf"), "worker_processes 1; daemon off; pid " + dir.resolve("nginx.pid")
        + "; error_log " + dir.resolve("error.log") + ";\nevents { worker_connections 256; }\nhttp { access_log off;\n"
        + http + "\n}\n");
    Process p = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
    Nginx nginx = new Nginx(p, dir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return nginx;
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !p.isAlive()) {
          String log = Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "";
          nginx.close();
          throw new IllegalStateException("nginx did not start: " + log + Files.readString(dir.resolve("stdout.log")), e);
        }
        Thread.onSpinWait();
      }
    }
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
