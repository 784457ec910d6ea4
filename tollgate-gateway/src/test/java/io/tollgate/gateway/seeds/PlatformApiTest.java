package io.tollgate.gateway.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Platform API (seeds/003): 1 per site per 5m, 60/1m on product reads, 5/1s on every other endpoint. */
class PlatformApiTest {

  private SeedHarness api;

  @BeforeEach
  void start() throws Exception {
    api = SeedHarness.serve("platform-api", null, null);
  }

  @AfterEach
  void stop() {
    api.close();
  }

  @Test
  void processIsOncePerSitePerFiveMinutes() throws Exception {
    HttpResponse<String> first = api.post("/platform/v2/process/site-1");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("X-RateLimit-Limit")).hasValue("1");
    assertThat(first.headers().firstValue("X-Ratelimit-Remaining")).hasValue("0");
    long resetAt = Long.parseLong(first.headers().firstValue("X-Ratelimit-Retry-After").orElseThrow());
    assertThat(resetAt * 1000 - api.clock.epochMillis()).isBetween(0L, 300_000L);
    HttpResponse<String> refused = api.post("/platform/v2/process/site-1");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).isEqualTo("{\"success\":false,\"message\":\"Too many attempts.\"}");
    assertThat(api.post("/platform/v2/process/site-2").statusCode()).as("another site").isEqualTo(200);
  }

  @Test
  void everyOtherEndpointHasFivePerSecondOfItsOwn() throws Exception {
    // 12 calls take far less than a second, so they span at most two 1-second windows: <= 10 admitted.
    int refused = 0;
    HttpResponse<String> last = null;
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> r = api.get("/platform/v2/sites");
      if (r.statusCode() == 429) {
        refused++;
        last = r;
      }
    }
    assertThat(refused).isGreaterThanOrEqualTo(2);
    assertThat(last.headers().firstValue("X-RateLimit-Limit")).hasValue("5");
    assertThat(last.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(api.get("/platform/v2/stages").statusCode()).as("another endpoint, its own budget").isEqualTo(200);
    assertThat(api.get("/product/v2/site/s/stage/live/7").headers().firstValue("X-RateLimit-Limit")).hasValue("60");
  }
}
