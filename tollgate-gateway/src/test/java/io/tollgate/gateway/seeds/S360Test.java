package io.tollgate.gateway.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** S-360 (seeds/000): one endpoint per service across versions and protocols, 60/1m, 509 refusals. */
class S360Test {

  private SeedHarness s360;

  @BeforeEach
  void start() throws Exception {
    s360 = SeedHarness.serve("s360", null, null);
  }

  @AfterEach
  void stop() {
    s360.close();
  }

  @Test
  void versionsAndProtocolsOfAServiceShareOneEndpointBudget() throws Exception {
    String[] versions = {"/tnseb/v1/contact/", "/tnseb/v2/contact/", "/tnseb/rest/contact/"};
    for (int i = 0; i < 60; i++) {
      HttpResponse<String> ok = s360.get(versions[i % 3] + "c" + i);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(59 - i));
    }
    HttpResponse<String> refused = s360.get("/tnseb/rest/contact/1");
    assertThat(refused.statusCode()).as("509 Bandwidth Limit Exceeded").isEqualTo(509);
    assertThat(refused.headers().firstValue("X-RateLimit-Limit")).hasValue("60");
    assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
    assertThat(refused.body()).contains("\"limit\":60", "\"window\":\"1m\"");
    assertThat(s360.get("/tnseb/v1/order/1").statusCode()).as("another endpoint has its own budget").isEqualTo(200);
  }

  @Test
  void getCatalogDetailedIsOnceEveryTenMinutes() throws Exception {
    assertThat(s360.get("/tnseb/v1/catalog/getCatalogDetailed").statusCode()).isEqualTo(200);
    HttpResponse<String> refused = s360.get("/tnseb/v2/catalog/getCatalogDetailed");
    assertThat(refused.statusCode()).isEqualTo(509);
    assertThat(refused.headers().firstValue("X-RateLimit-Limit")).hasValue("1");
    assertThat(s360.get("/tnseb/v1/catalog/list").statusCode()).isEqualTo(200);
  }
}
