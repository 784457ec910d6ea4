package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tollgate serve} as a process: the start line, and SIGTERM draining a request in flight, exit 0. */
class ServeProcessTest {

  @Test
  void sigtermLetsTheRequestInFlightFinishAndExitsZero(@TempDir Path dir) throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    upstream.createContext("/", exchange -> {
      arrived.countDown();
      try {
        answer.await(10, TimeUnit.SECONDS); // held until the gateway is known to be stopping
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = "slow answer".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.start();
    try (ServeProcess gateway = ServeProcess.start(dir,
        "upstream: http://127.0.0.1:" + upstream.getAddress().getPort() + "\nlimits:\n  - {name: a, limit: 100, window: 1m}\n")) {
      int port = gateway.port;
      Process p = gateway.process;
      assertThat(gateway.startLine).isEqualTo("tollgate: listening on http://127.0.0.1:" + port + ", policy " + gateway.policy
          + " (0 routes, 1 limits), upstream http://127.0.0.1:" + upstream.getAddress().getPort() + ", store memory");

      CompletableFuture<HttpResponse<String>> inFlight = HttpClient.newHttpClient().sendAsync(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/slow")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
      // SIGTERM, as an orchestrator sends it (Process.destroy would also close our end of its output)
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()).isZero();
      // the gateway says it has begun to stop, with the request still in flight
      assertThat(gateway.next("tollgate: stopping")).isEqualTo("tollgate: stopping, letting requests in flight finish");
      answer.countDown();
      HttpResponse<String> res = inFlight.get(10, TimeUnit.SECONDS);
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("slow answer");
      assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      upstream.stop(0);
    }
  }

  @Test
  void startsQuietlyAndSighupReloadsThePolicy(@TempDir Path dir) throws Exception {
    String body = "upstream: echo\nreload: manual\nlimits:\n  - {name: a, limit: 100, window: 1m}\n";
    try (ServeProcess gateway = ServeProcess.start(dir, body)) {
      assertThat(gateway.before).as("nothing before the start line: no third-party noise")
          .matches("\\S+Z INFO  tollgate: listening on .*\n");
      List<String> head = java.nio.file.Files.readAllLines(gateway.policy).subList(0, 2); // listen, admin
      java.nio.file.Files.writeString(gateway.policy, String.join("\n", head) + "\n"
          + body.replace("limit: 100", "limit: 200"));
      assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(gateway.process.pid())).start().waitFor()).isZero();
      assertThat(gateway.next("SIGHUP")).isEqualTo("tollgate: SIGHUP received: reloading");
      assertThat(gateway.next("reloaded")).startsWith("tollgate: reloaded " + gateway.policy + " (sha256 ")
          .endsWith("): 0 routes, 1 limits");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + gateway.port + "/after-hup")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("x-ratelimit-limit")).hasValue("200");
      assertThat(gateway.process.isAlive()).isTrue();
    }
  }
}
