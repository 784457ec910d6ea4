package io.tollgate.gateway.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SW Combine (seeds/001): 600/1h per IP per resource, 400 refusals, the status endpoint, the blacklist. */
class SwCombineTest {

  private SeedHarness swc;

  @BeforeEach
  void start() throws Exception {
    swc = SeedHarness.serve("swcombine", null, null);
  }

  @AfterEach
  void stop() {
    swc.close();
  }

  @Test
  void sixHundredAnHourPerResourceThen400ThenTheBlacklist() throws Exception {
    for (int i = 0; i < 600; i++) {
      HttpResponse<String> ok = swc.get("/ws/v2.0/time/CGT");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("X-RateLimit-ResetTime").orElseThrow())
          .matches("[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:00:00 \\+0000");
    }
    HttpResponse<String> refused = swc.get("/ws/v2.0/time/CGT");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
    assertThat(refused.headers().firstValue("Retry-After")).as("not in this platform's header sets").isEmpty();
    assertThat(swc.get("/ws/v2.0/faction/1").statusCode()).as("another resource").isEqualTo(200);

    String status = swc.get("/ws/v2.0/ratelimits").body();
    assertThat(status).contains("{\"name\":\"per-resource\",\"pattern\":\"/ws/v2.0/time/**\",\"limit\":600,\"remaining\":0,")
        .contains("\"pattern\":\"/ws/v2.0/faction/**\",\"limit\":600,\"remaining\":599,");
    assertThat(swc.send(swc.request("/ws/v2.0/ratelimits").header("Accept", "application/xml")).body())
        .startsWith("<ratelimits version=\"0.1\" total=\"4\"><ratelimit name=\"per-resource\" pattern=\"/ws/v2.0/time/**\" "
            + "limit=\"600\" remaining=\"0\" reset=\"");

    for (int i = 1; i < 100; i++) { // 99 more refusals: 100 in the hour
      assertThat(swc.get("/ws/v2.0/time/CGT").statusCode()).isEqualTo(400);
    }
    HttpResponse<String> banned = swc.get("/ws/v2.0/faction/1");
    assertThat(banned.statusCode()).as("blacklisted everywhere").isEqualTo(403);
    assertThat(banned.body()).matches("\\{\"error\":\"blacklisted: open a support ticket\",\"until\":\\d+}");
  }
}
