package io.tollgate.gateway.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One Stack (seeds/004): 100/1m per tenant across all its API keys; 304 does not count. */
class OneStackTest {

  private SeedHarness onestack;

  @BeforeEach
  void start() throws Exception {
    onestack = SeedHarness.serve("onestack", "ONESTACK_UPSTREAM", exchange -> {
      boolean cached = "\"etag-abc123\"".equals(exchange.getRequestHeaders().getFirst("If-None-Match"));
      SeedHarness.respond(exchange, cached ? 304 : 200, "{\"items\":[]}");
    });
  }

  @AfterEach
  void stop() {
    onestack.close();
  }

  private HttpResponse<String> call(String apiKey, String etag) throws Exception {
    var r = onestack.request("/api/tickets").header("X-Api-Key", apiKey);
    if (etag != null) {
      r.header("If-None-Match", etag);
    }
    return onestack.send(r);
  }

  @Test
  void allKeysOfATenantShareItsBudgetAndTheRefusalIsTheDocumentedOne() throws Exception {
    for (int i = 0; i < 100; i++) {
      assertThat(call("key-g1", null).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> refused = call("key-g1", null);
    assertThat(refused.statusCode()).isEqualTo(429);
    String retryAfter = refused.headers().firstValue("Retry-After").orElseThrow();
    assertThat(refused.headers().firstValue("X-RateLimit-Limit")).hasValue("100");
    assertThat(refused.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
    assertThat(refused.headers().firstValue("X-RateLimit-Reset")).isPresent();
    assertThat(refused.body()).isEqualTo("{\"error\":\"Rate limit exceeded\",\"code\":\"RATE_LIMIT_EXCEEDED\","
        + "\"details\":{\"limit\":100,\"window\":\"1m\",\"retryAfter\":" + retryAfter + "}}");
    assertThat(onestack.upstreamHits.get()).as("the refusal never reached the API").isEqualTo(100);
  }

  @Test
  void aCustomArrangementIsTheTenantsOwnBudgetSharedByItsKeys() throws Exception {
    HttpResponse<String> a1 = call("key-a1", null);
    assertThat(a1.headers().firstValue("X-RateLimit-Limit")).hasValue("600");
    assertThat(a1.headers().firstValue("X-RateLimit-Remaining")).hasValue("599");
    assertThat(call("key-a2", null).headers().firstValue("X-RateLimit-Remaining")).hasValue("598");
  }

  @Test
  void notModifiedDoesNotCountAgainstTheBudget() throws Exception {
    for (int i = 0; i < 150; i++) {
      assertThat(call("key-g1", "\"etag-abc123\"").statusCode()).isEqualTo(304);
    }
    HttpResponse<String> fresh = call("key-g1", null);
    assertThat(fresh.statusCode()).isEqualTo(200);
    assertThat(fresh.headers().firstValue("X-RateLimit-Remaining")).hasValue("99");
  }
}
