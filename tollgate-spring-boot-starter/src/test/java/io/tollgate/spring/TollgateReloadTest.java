package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tollgate.core.RateLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A {@code file:} policy in a running Spring Boot application: reloaded when the file changes
 * (counts kept, the RateLimiter bean following), a bad file changing nothing and its errors shown by
 * {@code POST /actuator/tollgate}; the endpoint's view and the {@code tollgate} health.
 */
class TollgateReloadTest {

  @TempDir
  static Path dir;

  static ConfigurableApplicationContext app;
  static String base;
  static Path policy;
  static final HttpClient http = HttpClient.newHttpClient();

  static String perClient(int limit) {
    return "limits:\n  - {name: per-client, paths: [/items/**], key: [client-ip], limit: " + limit + ", window: 1h}\n";
  }

  static void write(String text) throws Exception {
    Path tmp = dir.resolve(".tollgate.yaml.tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, policy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @BeforeAll
  static void start() throws Exception {
    policy = dir.resolve("tollgate.yaml");
    write(perClient(3));
    app = new SpringApplication(TollgateStarterTest.Demo.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--tollgate.policy=file:" + policy, "--spring.main.banner-mode=off",
        "--management.endpoints.web.exposure.include=health,tollgate", "--management.endpoint.health.show-details=always");
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
        HttpRequest.BodyPublishers.noBody());
    if (method.equals("POST")) {
      b.header("Content-Type", "application/json");
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static String limitAndRemaining() throws Exception {
    HttpResponse<String> r = send("GET", "/items/1");
    return r.headers().firstValue("X-RateLimit-Limit").orElse("-") + ":"
        + r.headers().firstValue("X-RateLimit-Remaining").orElse("-");
  }

  @Test
  void aChangedFileIsReloadedWithItsCountsAndABadOneChangesNothing() throws Exception {
    assertThat(limitAndRemaining()).isEqualTo("3:2");
    write(perClient(10));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String seen;
    while (!(seen = limitAndRemaining()).startsWith("10:")) {
      if (System.nanoTime() > deadline) {
        fail("not reloaded within 20 s (last " + seen + ")");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    assertThat(Integer.parseInt(seen.substring(3))).as("the first count carried over").isLessThan(9);
    assertThat(app.getBean(RateLimiter.class).policy().limits().get(0).limit()).as("the bean follows").isEqualTo(10);
    write("limits:\n  - {name: per-client, limit: 5, window: 1x}\n");
    HttpResponse<String> rejected = send("POST", "/actuator/tollgate");
    assertThat(rejected.body()).contains("\"result\":\"rejected\"").contains("tollgate.yaml:2:42: window: bad duration");
    assertThat(limitAndRemaining()).as("the policy in effect stays").startsWith("10:");
    write(perClient(10));
    assertThat(send("POST", "/actuator/tollgate").body()).contains("\"result\":\"unchanged\"");
  }

  @Test
  void theEndpointShowsThePolicyAndTheHealthItsStore() throws Exception {
    HttpResponse<String> view = send("GET", "/actuator/tollgate");
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body()).contains("\"source\":\"" + policy + "\"").contains("\"sha256\":\"").contains("\"store\":\"memory\"")
        .contains("\"reloadable\":true");
    HttpResponse<String> health = send("GET", "/actuator/health/tollgate");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"store\":\"memory\"");
  }
}
