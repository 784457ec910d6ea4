package io.tollgate.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** What README.md shows, on the example application itself (a random port). */
class ExampleApplicationTest {

  static ConfigurableApplicationContext app;
  static String base;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    app = SpringApplication.run(ExampleApplication.class, "--server.port=0", "--server.address=127.0.0.1");
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * One caller's minute: 200 with 99 left, a 304 not counted, 98 left, then the refusal at 101.
   * Windows are fixed minutes on the system clock: a sequence that straddles a minute's end (the
   * reset moves) is run again with another API key.
   */
  @Test
  void aCallersHundredAMinuteAnd304sNotCounted() throws Exception {
    for (int attempt = 0; ; attempt++) {
      String key = "key-" + System.nanoTime(); // not a tenant's: counted per API key, 100 a minute
      HttpResponse<String> first = get("/v1/items/1", "X-Api-Key", key);
      String tag = first.headers().firstValue("ETag").orElseThrow();
      HttpResponse<String> notModified = get("/v1/items/1", "X-Api-Key", key, "If-None-Match", tag);
      HttpResponse<String> third = get("/v1/items/2", "X-Api-Key", key);
      for (int i = 0; i < 98; i++) {
        get("/v1/items/3", "X-Api-Key", key);
      }
      HttpResponse<String> refused = get("/v1/items/3", "X-Api-Key", key);
      String reset = first.headers().firstValue("X-RateLimit-Reset").orElseThrow();
      if (!reset.equals(refused.headers().firstValue("X-RateLimit-Reset").orElse(reset)) && attempt < 3) {
        continue;
      }
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("X-RateLimit-Limit")).hasValue("100");
      assertThat(first.headers().firstValue("X-RateLimit-Remaining")).hasValue("99");
      assertThat(notModified.statusCode()).isEqualTo(304);
      assertThat(third.headers().firstValue("X-RateLimit-Remaining")).as("the 304 was not counted").hasValue("98");
      assertThat(refused.statusCode()).isEqualTo(429);
      assertThat(refused.headers().firstValue("Retry-After")).isPresent();
      assertThat(refused.body()).startsWith("{\"error\":\"Rate limit exceeded\",\"code\":\"RATE_LIMIT_EXCEEDED\"");
      return;
    }
  }

  @Test
  void aTenantsKeysShareItsArrangementAndTheHealthShowsTheStore() throws Exception {
    assertThat(get("/v1/items/1", "X-Api-Key", "key-a1").headers().firstValue("X-RateLimit-Limit"))
        .as("acme's arrangement").hasValue("600");
    assertThat(get("/v1/items/1", "X-Api-Key", "key-g1").headers().firstValue("X-RateLimit-Limit")).hasValue("100");
    assertThat(get("/actuator/health/tollgate").body()).contains("\"status\":\"UP\"");
  }
}
