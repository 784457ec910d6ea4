package io.tollgate.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import io.tollgate.redis.RedisServer;
import io.tollgate.server.TollgateServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin port over HTTP: health, readiness, metrics after known traffic, the policy, reload, the token. */
class AdminTest {

  private static final String TOKEN = "s3cret";
  private static final String POLICY = "listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0, token: " + TOKEN + "}\n"
      + "upstream: echo\nreload: manual\n"
      + "routes:\n  - {name: items, match: [/items/**]}\n"
      + "limits:\n"
      + "  - {name: per-ip, key: [client-ip], limit: 3, window: 1h, routes: [items]}\n"
      + "  - {name: all, limit: 1000, window: 1h}\n"
      + "  - {name: watch, key: [client-ip], limit: 1, window: 1h, mode: shadow}\n";

  @TempDir
  Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private TollgateServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Path start(String policy) throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), policy);
    server = TollgateServer.start(file, PolicyLoader.load(file), Clock.system());
    return file;
  }

  private HttpResponse<String> admin(String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private int proxy(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void healthAndReadinessNeedNoTokenEverythingElseDoes() throws Exception {
    start(POLICY);
    HttpResponse<String> health = admin("GET", "/healthz", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
    HttpResponse<String> ready = admin("GET", "/readyz", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("{\"status\":\"ready\",\"policy\":\"" + server.file().sha256()
        + "\",\"store\":\"ok\"}");
    for (String[] e : new String[][] {{"GET", "/metrics"}, {"GET", "/admin/policy"}, {"POST", "/admin/reload"}}) {
      HttpResponse<String> r = admin(e[0], e[1], null);
      assertThat(r.statusCode()).as(e[1]).isEqualTo(401);
      assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"tollgate-admin\"");
      assertThat(admin(e[0], e[1], "wrong").statusCode()).isEqualTo(401);
    }
    assertThat(admin("GET", "/nothing", TOKEN).statusCode()).isEqualTo(404);
    assertThat(proxy("/healthz")).as("the proxy's port is the upstream's: no admin there").isEqualTo(200);
  }

  @Test
  void metricsCountKnownTrafficExactly() throws Exception {
    start(POLICY);
    for (int i = 0; i < 5; i++) {
      proxy("/items/1");
    }
    proxy("/other");
    String m = admin("GET", "/metrics", TOKEN).body();
    assertThat(m).contains(
        "tollgate_requests_total{decision=\"allowed\",route=\"items\"} 3.0",
        "tollgate_requests_total{decision=\"refused\",route=\"items\"} 2.0",
        "tollgate_requests_total{decision=\"allowed\",route=\"default\"} 1.0",
        "tollgate_limit_decisions_total{limit=\"per-ip\",outcome=\"allowed\"} 3.0",
        "tollgate_limit_decisions_total{limit=\"per-ip\",outcome=\"refused\"} 2.0",
        "tollgate_limit_decisions_total{limit=\"all\",outcome=\"allowed\"} 4.0",
        "tollgate_limit_decisions_total{limit=\"all\",outcome=\"not_taken\"} 2.0",
        "tollgate_limit_decisions_total{limit=\"watch\",outcome=\"allowed\"} 1.0",
        "tollgate_limit_decisions_total{limit=\"watch\",outcome=\"shadow_refused\"} 5.0",
        "tollgate_upstream_responses_total{code=\"2xx\",route=\"items\"} 3.0",
        "tollgate_upstream_responses_total{code=\"2xx\",route=\"default\"} 1.0",
        "tollgate_decision_duration_seconds_count{store=\"memory\"} 6",
        "tollgate_upstream_duration_seconds_count{route=\"items\"} 3",
        "tollgate_store_counters ",
        "tollgate_policy_info{sha256=\"" + server.file().sha256() + "\"} 1\n",
        "jvm_memory_used_bytes", "process_uptime_seconds");
    assertThat(m).doesNotContain("127.0.0.1");
  }

  @Test
  void thePolicyAndItsReload() throws Exception {
    Path file = start(POLICY);
    String policy = admin("GET", "/admin/policy", TOKEN).body();
    assertThat(policy).startsWith("{\"file\":\"" + file + "\",\"sha256\":\"" + server.file().sha256() + "\",\"loaded_at\":\"")
        .contains("\"routes\":[{\"name\":\"items\",\"match\":[\"/items/**\"]}]")
        .contains("{\"name\":\"per-ip\",\"algorithm\":\"fixed-window\",\"limit\":3,\"window\":\"1h\",\"cost\":1,"
            + "\"mode\":\"enforce\",\"key\":[\"client-ip\"],\"routes\":[\"items\"],\"methods\":[],\"paths\":[]}")
        .contains("\"mode\":\"shadow\"");

    HttpResponse<String> same = admin("POST", "/admin/reload", TOKEN);
    assertThat(same.statusCode()).isEqualTo(200);
    assertThat(same.body()).isEqualTo("{\"result\":\"unchanged\",\"sha256\":\"" + server.file().sha256() + "\"}");

    Files.writeString(file, POLICY.replace("limit: 3,", "limit: 4,"));
    HttpResponse<String> changed = admin("POST", "/admin/reload", TOKEN);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.body()).isEqualTo("{\"result\":\"reloaded\",\"sha256\":\"" + PolicyLoader.load(file).sha256() + "\"}");

    Files.writeString(file, POLICY.replace("limit: 3,", "limit: lots,"));
    HttpResponse<String> bad = admin("POST", "/admin/reload", TOKEN);
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.body()).isEqualTo("{\"result\":\"rejected\",\"sha256\":\"" + server.file().sha256() + "\",\"errors\":[\""
        + file + ":8:45: limit must be a whole number (was 'lots')\"]}");
    assertThat(admin("GET", "/metrics", TOKEN).body()).contains(
        "tollgate_policy_reloads_total{result=\"unchanged\"} 1.0",
        "tollgate_policy_reloads_total{result=\"reloaded\"} 1.0",
        "tollgate_policy_reloads_total{result=\"rejected\"} 1.0",
        "tollgate_policy_info{sha256=\"" + server.file().sha256() + "\"} 1\n");
  }

  private String scrape() {
    try {
      return admin("GET", "/metrics", TOKEN).body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void bansOnARedisStoreAreCountedInTheMetricsAndCanBeLifted() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      start(POLICY.replace("upstream: echo\n", "upstream: echo\nstore: " + redis.uri() + "\n")
          .replace("reload: manual\n", "reload: manual\nban: {after: 1, within: 1h, for: 1h}\n"));
      RedisServer.await(() -> scrape().contains("tollgate_bans_active 0.0"), "no ban counted");
      for (int i = 0; i < 3; i++) {
        assertThat(proxy("/items/" + i)).isEqualTo(200);
      }
      assertThat(proxy("/items/3")).isEqualTo(429); // the refusal that bans
      assertThat(proxy("/items/4")).isEqualTo(403);
      assertThat(admin("GET", "/admin/bans", TOKEN).body()).contains("\"key\":\"client-ip=127.0.0.1\"");
      RedisServer.await(() -> scrape().contains("tollgate_bans_active 1.0"), "the ban counted, from Redis");
      assertThat(adminWithBody("DELETE", "/admin/bans", "{\"client_ip\":\"127.0.0.1\"}").body())
          .isEqualTo("{\"lifted\":true}");
      assertThat(proxy("/other")).isEqualTo(200);
      RedisServer.await(() -> scrape().contains("tollgate_bans_active 0.0"), "the lifted ban no longer counted");
    }
  }

  @Test
  void aDeadRedisIsReadyButDegradedAndItsStoreMetricsShowIt() throws Exception {
    try (RedisServer later = RedisServer.notStartedYet()) {
      start(POLICY.replace("upstream: echo\n", "upstream: echo\nstore: " + later.uri()
          + "\nredis: {timeout: 100ms, on-failure: allow}\n"));
      HttpResponse<String> ready = admin("GET", "/readyz", null);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).endsWith("\"store\":\"degraded\"}");
      proxy("/items/1");
      assertThat(admin("GET", "/metrics", TOKEN).body()).contains("tollgate_store_breaker_open 1.0",
          "tollgate_store_fallback_decisions_total{on_failure=\"allow\"} 1.0",
          "tollgate_decision_duration_seconds_count{store=\"redis\"} 1");
    }
  }

  private HttpResponse<String> explain(String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + "/admin/explain"))
        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void explainResolvesADescribedRequestAsARealOneAndMovesNoCounter() throws Exception {
    start(POLICY);
    proxy("/items/1");
    proxy("/items/2");
    String ask = "{\"method\":\"GET\",\"path\":\"/items/9\",\"client_ip\":\"127.0.0.1\"}";
    HttpResponse<String> r = explain(ask);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).startsWith("{\"allowed\":true,\"outcome\":\"allowed\",\"route\":\"items\",\"limits\":["
        + "{\"name\":\"per-ip\",\"key\":\"client-ip=127.0.0.1\",\"algorithm\":\"fixed-window\",\"limit\":3,"
        + "\"window\":\"1h\",\"mode\":\"enforce\",\"remaining\":1,\"reset\":\"")
        .contains("{\"name\":\"all\",\"key\":\"(shared)\"")
        .contains("\"name\":\"watch\",\"key\":\"client-ip=127.0.0.1\"");
    assertThat(explain(ask).body()).as("asking twice moves nothing").isEqualTo(r.body());
    assertThat(explain("{\"path\":\"/items/9\",\"client_ip\":\"198.51.100.7\"}").body())
        .contains("\"key\":\"client-ip=198.51.100.7\"").contains("\"remaining\":3,");
    proxy("/items/3");
    assertThat(explain(ask).body()).startsWith("{\"allowed\":false,\"outcome\":\"refused\",\"route\":\"items\"")
        .contains("\"remaining\":0,");
    assertThat(explain("{\"path\":\"/elsewhere\",\"client_ip\":\"127.0.0.1\"}").body())
        .startsWith("{\"allowed\":true,\"outcome\":\"allowed\",\"route\":\"default\"");
    // the path is read as the gateway reads it: another spelling is the same request
    assertThat(explain("{\"path\":\"/./%69tems//9;x=1?a=b\",\"client_ip\":\"127.0.0.1\"}").body())
        .startsWith("{\"allowed\":false,\"outcome\":\"refused\",\"route\":\"items\"");
    assertThat(explain("{\"path\":\"/items%2F9\"}").body()).contains("encoded slash");
    HttpResponse<String> bad = explain("{\"path\":\"nope\"}");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).isEqualTo("{\"error\":\"'path' is required and starts with '/' (was \\\"nope\\\")\"}");
    assertThat(explain("[1]").statusCode()).isEqualTo(400);
    assertThat(explain("{\"path\":\"/a\",\"colour\":\"red\"}").body()).contains("unknown field 'colour'");
  }

  @Test
  void explainFollowsTenantsAndKeyFallbacks() throws Exception {
    start("listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0}\nupstream: echo\n"
        + "tenants:\n  api-key: header:X-Api-Key\n  map: {acme: [k1, k2]}\n  overrides: {acme: {per-tenant: {limit: 50}}}\n"
        + "limits:\n  - {name: per-tenant, key: [tenant|api-key|client-ip], limit: 5, window: 1m}\n");
    String acme = explain("{\"path\":\"/x\",\"headers\":{\"X-Api-Key\":\"k2\"},\"client_ip\":\"10.0.0.1\"}").body();
    assertThat(acme).contains("\"key\":\"tenant=acme\"").contains("\"limit\":50,");
    String unknownKey = explain("{\"path\":\"/x\",\"headers\":{\"X-Api-Key\":\"zz\"}}").body();
    assertThat(unknownKey).contains("\"key\":\"api-key=zz\"").contains("\"limit\":5,");
    assertThat(explain("{\"path\":\"/x\",\"client_ip\":\"10.0.0.9\"}").body()).contains("\"key\":\"client-ip=10.0.0.9\"");
  }

  private HttpResponse<String> adminWithBody(String method, String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
        .header("Authorization", "Bearer " + TOKEN).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void resetGivesTheCallerAFreshBudgetAndBansCanBeLifted() throws Exception {
    start(POLICY.replace("reload: manual\n", "reload: manual\nban: {after: 2, within: 1d, for: 1h}\n"));
    for (int i = 0; i < 3; i++) {
      assertThat(proxy("/items/" + i)).isEqualTo(200);
    }
    assertThat(proxy("/items/3")).isEqualTo(429);
    HttpResponse<String> one = adminWithBody("POST", "/admin/reset?limit=per-ip",
        "{\"path\":\"/items/x\",\"client_ip\":\"127.0.0.1\"}");
    assertThat(one.statusCode()).isEqualTo(200);
    assertThat(one.body()).isEqualTo("{\"reset\":[{\"limit\":\"per-ip\",\"key\":\"client-ip=127.0.0.1\"}]}");
    assertThat(proxy("/items/4")).isEqualTo(200);
    assertThat(adminWithBody("POST", "/admin/reset", "{\"path\":\"/items/x\",\"client_ip\":\"127.0.0.1\"}").body())
        .isEqualTo("{\"reset\":[{\"limit\":\"per-ip\",\"key\":\"client-ip=127.0.0.1\"},"
            + "{\"limit\":\"all\",\"key\":\"(shared)\"},{\"limit\":\"watch\",\"key\":\"client-ip=127.0.0.1\"}]}");
    assertThat(adminWithBody("POST", "/admin/reset?limit=nope", "{\"path\":\"/\"}").statusCode()).isEqualTo(400);

    for (int i = 0; i < 3; i++) {
      proxy("/items/" + i);
    }
    assertThat(proxy("/items/8")).as("the second refusal within the day (a reset keeps the ban's count)")
        .isEqualTo(429);
    assertThat(proxy("/items/9")).as("banned").isEqualTo(403);
    HttpResponse<String> bans = admin("GET", "/admin/bans", TOKEN);
    assertThat(bans.statusCode()).isEqualTo(200);
    assertThat(bans.body()).matches("\\{\"bans\":\\[\\{\"key\":\"client-ip=127.0.0.1\",\"since\":\"[^\"]+Z\","
        + "\"until\":\"[^\"]+Z\"}]}");
    assertThat(admin("GET", "/metrics", TOKEN).body()).contains("tollgate_bans_active 1.0");
    assertThat(admin("GET", "/admin/bans?max=0", TOKEN).statusCode()).isEqualTo(400);
    HttpResponse<String> lifted = adminWithBody("DELETE", "/admin/bans", "{\"client_ip\":\"127.0.0.1\"}");
    assertThat(lifted.body()).isEqualTo("{\"lifted\":true}");
    assertThat(proxy("/other")).isEqualTo(200);
    assertThat(admin("GET", "/admin/bans", TOKEN).body()).isEqualTo("{\"bans\":[]}");
    assertThat(adminWithBody("DELETE", "/admin/bans", "{\"client_ip\":\"127.0.0.1\"}").body())
        .isEqualTo("{\"lifted\":false}");
  }

  @Test
  void topNamesTheHeaviestCallersOfALimit() throws Exception {
    start("listen: 127.0.0.1:0\nadmin: {listen: 127.0.0.1:0}\nupstream: echo\n"
        + "limits:\n  - {name: per-user, key: [header:X-User], limit: 1000, window: 1h, cost: 2}\n"
        + "  - {name: other, limit: 1000, window: 1h}\n");
    int[] sends = {5, 2, 1};
    String[] users = {"ann", "bob", "cyd"};
    for (int u = 0; u < users.length; u++) {
      for (int i = 0; i < sends[u]; i++) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/x"))
            .header("X-User", users[u]).build(), HttpResponse.BodyHandlers.discarding());
      }
    }
    HttpResponse<String> top = admin("GET", "/admin/top?limit=per-user&n=2", null);
    assertThat(top.statusCode()).isEqualTo(200);
    assertThat(top.body()).isEqualTo("{\"limit\":\"per-user\",\"window\":\"the last 5 to 10 minutes\",\"callers\":["
        + "{\"key\":\"header:x-user=ann\",\"units\":10},{\"key\":\"header:x-user=bob\",\"units\":4}]}");
    assertThat(admin("GET", "/admin/top?limit=other", null).body()).contains("{\"key\":\"(shared)\",\"units\":8}");
    assertThat(admin("GET", "/admin/top?limit=nope", null).statusCode()).isEqualTo(400);
    assertThat(admin("GET", "/admin/top", null).statusCode()).isEqualTo(400);
  }
}
