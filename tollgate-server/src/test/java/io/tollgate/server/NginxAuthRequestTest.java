package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/nginx end to end: Debian's nginx on the example's server block, Tollgate on the
 * example's policy (check endpoint only), a real app behind nginx. Five requests a minute go
 * through with the rate-limit fields copied to the client; the sixth is a 429 from nginx's
 * error_page with Retry-After and the fields, and never reaches the app.
 */
class NginxAuthRequestTest {

  private static final Path EXAMPLES = Path.of("..", "examples", "nginx");

  @TempDir
  Path dir;
  private TollgateServer tollgate;
  private HttpServer app;
  private Nginx nginx;

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      nginx.close();
    }
    if (tollgate != null) {
      tollgate.close();
    }
    if (app != null) {
      app.stop(0);
    }
  }

  @Test
  void theExampleLimitsThroughAuthRequestAndTheAppNeverSeesARefusedRequest() throws Exception {
    AtomicInteger reached = new AtomicInteger();
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    app.createContext("/", exchange -> {
      reached.incrementAndGet();
      byte[] body = "hello from the app\n".getBytes();
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    app.start();
    String policy = Files.readString(EXAMPLES.resolve("policy.yaml"))
        .replace("listen: 127.0.0.1:8082", "listen: 127.0.0.1:0")
        .replace("admin: {listen: 127.0.0.1:9901}", "admin: {listen: off}");
    Path file = Files.writeString(dir.resolve("policy.yaml"), policy);
    tollgate = TollgateServer.start(file, PolicyLoader.load(file), Clock.system());
    int port = Nginx.freePort();
    String conf = Files.readString(EXAMPLES.resolve("tollgate.conf"))
        .replace("listen 8000;", "listen 127.0.0.1:" + port + ";")
        .replace("127.0.0.1:9000", "127.0.0.1:" + app.getAddress().getPort())
        .replace("127.0.0.1:8082", "127.0.0.1:" + tollgate.checkPort());
    nginx = Nginx.start(conf, port);
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + port + "/v1/items?page=2");
    for (int i = 1; i <= 5; i++) {
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as("request " + i).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("hello from the app\n");
      assertThat(ok.headers().firstValue("x-ratelimit-limit")).hasValue("5");
      assertThat(ok.headers().firstValue("x-ratelimit-remaining")).hasValue(Integer.toString(5 - i));
    }
    HttpResponse<String> refused = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).hasValueSatisfying(v -> assertThat(Long.parseLong(v))
        .isBetween(1L, 60L));
    assertThat(refused.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(refused.headers().firstValue("x-ratelimit-reset")).isPresent();
    assertThat(refused.body()).startsWith("{\"error\":\"Rate limit exceeded\"");
    assertThat(reached.get()).as("the refused request never reached the app").isEqualTo(5);
  }
}
