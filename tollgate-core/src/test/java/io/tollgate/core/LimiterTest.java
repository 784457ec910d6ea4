package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The limiter's semantics: routes, filters, keys, tenants, modes, allow/deny, bans, the status view. */
class LimiterTest {

  private final FakeClock clock = FakeClock.atWholeDay();

  private RateLimiter limiter(Policy p) {
    return RateLimiter.builder(p).clock(clock).build();
  }

  private static RequestInfo req(String method, String path, String ip) {
    return RequestInfo.builder().method(method).path(path).clientIp(ip).build();
  }

  private static RequestInfo get(String path) {
    return req("GET", path, "192.0.2.1");
  }

  @Test
  void theTenthAndLaterAlternativesOfAChainHaveCountersOfTheirOwn() {
    // was: the index was capped at 9, so alternatives 9, 10 and 11 with one value shared a counter
    StringBuilder chain = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      chain.append(i == 0 ? "" : "|").append("header:h").append(i);
    }
    RateLimiter l = limiter(Policy.builder().limit(Limit.builder("k").key(chain.toString()).limit(1).window("1h").build())
        .build());
    for (int i = 9; i < 12; i++) {
      RequestInfo r = RequestInfo.builder().path("/").clientIp("a").header("h" + i, "same").build();
      assertThat(l.decide(r).allowed()).as("alternative %d", i).isTrue();
      assertThat(l.explain(r).keys()).containsExactly("header:h" + i + "=same");
    }
  }

  @Test
  void aKeyPartOver256BytesIsStoredByItsDigest() {
    RateLimiter l = limiter(Policy.builder()
        .limit(Limit.builder("k").key("header:x-api-key").limit(1).window("1h").build()).build());
    String huge = "k".repeat(1 << 20);
    RequestInfo first = RequestInfo.builder().path("/").clientIp("a").header("X-Api-Key", huge + "1").build();
    RequestInfo second = RequestInfo.builder().path("/").clientIp("a").header("X-Api-Key", huge + "2").build();
    assertThat(l.explain(first).keys().get(0)).matches("header:x-api-key=sha256:[A-Za-z0-9_-]{43}");
    assertThat(l.decide(first).allowed()).isTrue();
    assertThat(l.decide(second).allowed()).as("the digest covers the whole value").isTrue();
    assertThat(l.decide(first).allowed()).isFalse();
    String exactly256 = "é".repeat(128); // 256 bytes in UTF-8: kept as it is
    assertThat(l.explain(RequestInfo.builder().path("/").header("X-Api-Key", exactly256).build()).keys())
        .containsExactly("header:x-api-key=" + exactly256);
    RateLimiter byParam = limiter(Policy.builder().route(Route.of("item", "/items/{id}"))
        .limit(Limit.builder("p").key("param:id").limit(1).window("1h").routes("item").build()).build());
    String segment = "s".repeat(300);
    assertThat(byParam.decide(get("/items/" + segment)).allowed()).isTrue();
    assertThat(byParam.explain(get("/items/" + segment)).keys()).containsExactly(
        "param:id=sha256:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(segment)));
    assertThat(byParam.decide(get("/items/" + segment)).allowed()).isFalse();
    assertThat(byParam.decide(get("/items/" + segment + "x")).allowed()).isTrue();
  }

  private static byte[] sha256(String s) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aRequestBelongsToTheFirstMatchingRouteElseDefault() {
    RateLimiter l = limiter(Policy.builder()
        .route(Route.of("contact", "/tnseb/v1/contact/**", "/tnseb/v2/contact/**", "/tnseb/rest/contact/**"))
        .route(Route.of("everything", "/**"))
        .limit(Limit.builder("per-endpoint").key("route").limit(2).window("1m").build())
        .build());
    assertThat(l.decide(get("/tnseb/v1/contact/42")).route()).isEqualTo("contact");
    assertThat(l.decide(get("/tnseb/rest/contact/")).route()).isEqualTo("contact");
    // three versions and protocols of one service share one counter
    Decision third = l.decide(get("/tnseb/v2/contact/7/notes"));
    assertThat(third.allowed()).isFalse();
    assertThat(l.decide(get("/other")).route()).isEqualTo("everything");

    RateLimiter noCatchAll = limiter(Policy.builder().route(Route.of("a", "/a")).limit(
        Limit.builder("x").limit(1).window("1s").build()).build());
    assertThat(noCatchAll.decide(get("/b")).route()).isEqualTo(Route.DEFAULT);
  }

  @Test
  void patternsMatchSegmentByCaseSensitivePathAndAnyCaseMethod() {
    RateLimiter l = limiter(Policy.builder()
        .route(Route.of("process", "POST /platform/v2/process/{siteIdentifier}"))
        .route(Route.of("one", "/x/*/y"))
        .route(Route.of("deep", "/d/**/end"))
        .limit(Limit.builder("any").limit(100).window("1m").build())
        .build());
    assertThat(l.decide(req("post", "/platform/v2/process/site-1", "a")).route()).isEqualTo("process");
    assertThat(l.decide(req("GET", "/platform/v2/process/site-1", "a")).route()).isEqualTo(Route.DEFAULT);
    assertThat(l.decide(req("POST", "/platform/v2/process/site-1/extra", "a")).route()).isEqualTo(Route.DEFAULT);
    assertThat(l.decide(get("/x/anything/y")).route()).isEqualTo("one");
    assertThat(l.decide(get("/x/a/b/y")).route()).isEqualTo(Route.DEFAULT);
    assertThat(l.decide(get("/X/a/y")).route()).isEqualTo(Route.DEFAULT);
    assertThat(l.decide(get("/d/end")).route()).isEqualTo("deep");
    assertThat(l.decide(get("/d/1/2/3/end/")).route()).isEqualTo("deep");
  }

  @Test
  void filtersSelectTheLimitsThatApply() {
    RateLimiter l = limiter(Policy.builder()
        .route(Route.of("catalog", "/catalog/**"))
        .limit(Limit.builder("writes").methods("writes").limit(1).window("1m").build())
        .limit(Limit.builder("reads").methods("reads").limit(100).window("1m").build())
        .limit(Limit.builder("detailed").routes("catalog").paths("**/getCatalogDetailed").limit(1).window("10m").build())
        .build());
    assertThat(names(l.decide(req("POST", "/catalog/items", "a")))).containsExactly("writes");
    assertThat(names(l.decide(req("GET", "/catalog/items", "a")))).containsExactly("reads");
    assertThat(names(l.decide(req("HEAD", "/catalog/v1/getCatalogDetailed", "a")))).containsExactly("reads", "detailed");
    assertThat(l.decide(req("GET", "/catalog/v2/getCatalogDetailed", "a")).allowed()).isFalse();
    // writes throttled, reads still permitted
    assertThat(l.decide(req("DELETE", "/catalog/items/1", "a")).allowed()).isFalse();
    assertThat(l.decide(req("GET", "/catalog/items/1", "a")).allowed()).isTrue();
  }

  private static List<String> names(Decision d) {
    return d.applied().stream().map(LimitStatus::name).toList();
  }

  @Test
  void keysMakeOneCounterPerDistinctValueAndFallBackAlongAChain() {
    RateLimiter l = limiter(Policy.builder()
        .route(Route.of("process", "POST /process/{site}"))
        .limit(Limit.builder("per-site").routes("process").key("param:site").limit(1).window("5m").build())
        .limit(Limit.builder("per-caller").key("header:X-App-Id|client-ip").limit(3).window("1m").build())
        .build());
    assertThat(l.decide(req("POST", "/process/s1", "a")).allowed()).isTrue();
    assertThat(l.decide(req("POST", "/process/s1", "b")).allowed()).as("same site, other caller").isFalse();
    assertThat(l.decide(req("POST", "/process/s2", "b")).allowed()).isTrue();

    RequestInfo app = RequestInfo.builder().path("/x").clientIp("c").header("X-App-Id", "c").build();
    RequestInfo ipC = req("GET", "/x", "c");
    for (int i = 0; i < 3; i++) {
      assertThat(l.decide(app).allowed()).isTrue();
    }
    assertThat(l.decide(app).allowed()).isFalse();
    // the IP "c" is not the app id "c": a fallback's value is tagged with where it came from
    assertThat(l.decide(ipC).allowed()).isTrue();
  }

  @Test
  void queryParametersAndHeadersCanKeyALimit() {
    RateLimiter l = limiter(Policy.builder()
        .limit(Limit.builder("per-app").key("query:app", "header:X-Region").limit(1).window("1m").build()).build());
    assertThat(l.decide(RequestInfo.builder().path("/x?app=a%20b&y=1").header("X-Region", "eu").build()).allowed()).isTrue();
    assertThat(l.decide(RequestInfo.builder().path("/x?app=a+b").header("x-region", "eu").build()).allowed())
        .as("same decoded value, header names case-insensitive").isFalse();
    assertThat(l.decide(RequestInfo.builder().path("/x?app=a+b").header("X-Region", "us").build()).allowed()).isTrue();
  }

  @Test
  void aPartWithNoValueTakesTheEmptyValueAndSharesOneCounter() {
    RateLimiter l = limiter(Policy.builder()
        .limit(Limit.builder("per-app").key("header:X-App-Id").limit(1).window("1m").build()).build());
    assertThat(l.decide(req("GET", "/", "a")).allowed()).isTrue();
    assertThat(l.decide(req("GET", "/", "b")).allowed()).isFalse();
  }

  @Test
  void allApiKeysOfATenantShareItsBudgetAndOverridesGiveATenantItsOwnNumbers() {
    Tenants tenants = Tenants.builder("header:X-Api-Key")
        .tenant("acme", "key-a1", "key-a2")
        .tenant("globex", "key-g1")
        .override("acme", "per-tenant", LimitOverride.none().withLimit(4))
        .build();
    RateLimiter l = limiter(Policy.builder().tenants(tenants)
        .limit(Limit.builder("per-tenant").key("tenant|api-key|client-ip").limit(2).window("1m").build()).build());
    RequestInfo a1 = RequestInfo.builder().path("/t").clientIp("1").header("X-Api-Key", "key-a1").build();
    RequestInfo a2 = RequestInfo.builder().path("/t").clientIp("2").header("X-Api-Key", "key-a2").build();
    RequestInfo g1 = RequestInfo.builder().path("/t").clientIp("3").header("X-Api-Key", "key-g1").build();
    assertThat(l.decide(a1).allowed()).isTrue();
    assertThat(l.decide(a2).allowed()).isTrue();
    assertThat(l.decide(a1).allowed()).isTrue();
    Decision fourth = l.decide(a2);
    assertThat(fourth.allowed()).isTrue();
    assertThat(fourth.reported().limit()).isEqualTo(4);
    assertThat(l.decide(a1).allowed()).isFalse();
    assertThat(l.decide(g1).reported().limit()).isEqualTo(2);
  }

  @Test
  void headersDescribeTheLimitWithFewestRemainingOrTheOneThatRefused() {
    RateLimiter l = limiter(Policy.builder()
        .limit(Limit.builder("per-hour").limit(10).window("1h").build())
        .limit(Limit.builder("per-second").limit(2).window("1s").refusal(Refusal.empty().withStatus(509)).build())
        .build());
    Decision first = l.decide(get("/"));
    assertThat(first.reported().name()).isEqualTo("per-second");
    assertThat(first.reported().remaining()).isEqualTo(1);
    l.decide(get("/"));
    Decision refused = l.decide(get("/"));
    assertThat(refused.outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(refused.reported().name()).isEqualTo("per-second");
    assertThat(refused.refusal().status()).isEqualTo(509);
    assertThat(refused.refusal().headers()).containsExactly(HeaderSet.X_RATELIMIT, HeaderSet.RETRY_AFTER, HeaderSet.RATELIMIT);
    assertThat(refused.applied()).hasSize(2);
    assertThat(refused.applied().get(0).remaining()).as("per-hour untouched by the refusal").isEqualTo(8);
  }

  @Test
  void shadowLimitsCountAndReportButNeverRefuseNorShowInHeaders() {
    RateLimiter l = limiter(Policy.builder()
        .limit(Limit.builder("trial").limit(1).window("1m").mode(Mode.SHADOW).build())
        .limit(Limit.builder("real").limit(100).window("1m").build())
        .build());
    l.decide(get("/"));
    Decision d = l.decide(get("/"));
    assertThat(d.allowed()).isTrue();
    LimitStatus trial = d.applied().get(0);
    assertThat(trial.shadow()).isTrue();
    assertThat(trial.fits()).as("would have refused").isFalse();
    assertThat(d.reported().name()).isEqualTo("real");
  }

  @Test
  void denyAllowAndBans() {
    Ban ban = new Ban(List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP))), 3, "1m", "1h", 403, "application/json",
        Ban.DEFAULT_BODY);
    RateLimiter l = limiter(Policy.builder()
        .deny("203.0.113.0/24").allow("10.0.0.0/8").allow("::1").ban(ban)
        .limit(Limit.builder("tiny").key("client-ip").limit(1).window("1m").build()).build());
    assertThat(l.decide(req("GET", "/", "203.0.113.9")).outcome()).isEqualTo(Decision.Outcome.DENIED);
    for (int i = 0; i < 5; i++) {
      Decision d = l.decide(req("GET", "/", "10.1.2.3"));
      assertThat(d.allowed()).isTrue();
      assertThat(d.applied()).as("no limit applies to an allowed address").isEmpty();
    }
    assertThat(l.decide(req("GET", "/", "::1")).applied()).isEmpty();

    String abuser = "198.51.100.7";
    assertThat(l.decide(req("GET", "/", abuser)).allowed()).isTrue();
    for (int i = 0; i < 3; i++) {
      assertThat(l.decide(req("GET", "/", abuser)).outcome()).isEqualTo(Decision.Outcome.REFUSED);
    }
    Decision banned = l.decide(req("GET", "/", abuser));
    assertThat(banned.outcome()).isEqualTo(Decision.Outcome.BANNED);
    assertThat(banned.refusal().status()).isEqualTo(403);
    assertThat(banned.reported().resetAtMillis()).isEqualTo(clock.epochMillis() + 3_600_000);
    assertThat(l.decide(req("GET", "/", "198.51.100.8")).allowed()).as("others are not banned").isTrue();
    assertThat(l.screen(req("GET", "/", abuser)).outcome()).isEqualTo(Decision.Outcome.BANNED);
    assertThat(l.screen(req("GET", "/", "203.0.113.1")).outcome()).isEqualTo(Decision.Outcome.DENIED);
    Decision screened = l.screen(req("GET", "/", "198.51.100.8"));
    assertThat(screened.allowed()).isTrue();
    assertThat(screened.applied()).as("screening counts nothing").isEmpty();
    clock.advance(Duration.ofHours(1));
    assertThat(l.decide(req("GET", "/", abuser)).allowed()).as("the ban ends").isTrue();
  }

  @Test
  void asynchronousDecisionsAreTheSameDecisionsBansIncluded() {
    Ban ban = new Ban(List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP))), 2, "1m", "1h", 403, "application/json",
        Ban.DEFAULT_BODY);
    RateLimiter l = limiter(Policy.builder().deny("203.0.113.0/24").allow("10.0.0.0/8").ban(ban)
        .limit(Limit.builder("tiny").key("client-ip").limit(1).window("1m").build()).build());
    assertThat(l.decideAsync(req("GET", "/", "203.0.113.9")).join().outcome()).isEqualTo(Decision.Outcome.DENIED);
    assertThat(l.decideAsync(req("GET", "/", "10.1.2.3")).join().applied()).isEmpty();
    String abuser = "198.51.100.7";
    Decision first = l.decideAsync(req("GET", "/", abuser)).join();
    assertThat(first.allowed()).isTrue();
    assertThat(first.reported().remaining()).isZero();
    assertThat(first.route()).isEqualTo("default");
    for (int i = 0; i < 2; i++) { // the refusals count toward the ban, off the completing thread
      assertThat(l.decideAsync(req("GET", "/", abuser)).join().outcome()).isEqualTo(Decision.Outcome.REFUSED);
    }
    assertThat(l.decideAsync(req("GET", "/", abuser)).join().outcome()).isEqualTo(Decision.Outcome.BANNED);
    assertThat(l.decide(req("GET", "/", abuser)).outcome()).as("one set of counters for both APIs")
        .isEqualTo(Decision.Outcome.BANNED);
    assertThat(l.tryAcquireAsync("tiny", "k", 1).join().allowed()).isTrue();
    assertThat(l.tryAcquire("tiny", "k", 1).allowed()).isFalse();
    assertThat(l.tryAcquireAsync("tiny", "k", 1).join().reported().retryAfterMillis()).isPositive();
  }

  @Test
  void theStatusViewShowsTheCallersOwnCountersPerLimitAndRouteAndMovesNothing() {
    RateLimiter l = limiter(Policy.builder()
        .route(Route.of("time", "/time/**"))
        .route(Route.of("faction", "/faction/**"))
        .limit(Limit.builder("per-ip").routes("time", "faction").key("route", "client-ip").limit(150).window("1h").build())
        .build());
    l.decide(req("GET", "/time/CGT", "192.0.2.1"));
    l.decide(req("GET", "/time/CGT", "192.0.2.2"));
    List<LimitStatus> status = l.status(req("GET", "/ratelimits", "192.0.2.1"));
    assertThat(status).extracting(LimitStatus::route, LimitStatus::pattern, LimitStatus::remaining)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("time", "/time/**", 149L),
            org.assertj.core.groups.Tuple.tuple("faction", "/faction/**", 150L));
    assertThat(l.status(req("GET", "/ratelimits", "192.0.2.1")).get(0).remaining()).isEqualTo(149);
  }

  @Test
  void tryAcquireNamesAnUnknownLimitClearly() {
    RateLimiter l = limiter(Policy.builder().limit(Limit.builder("a").limit(1).window("1s").build()).build());
    assertThatThrownBy(() -> l.tryAcquire("b", "k", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no limit named 'b' in the policy (limits: [a])");
  }

  @Test
  void buildersValidateAtOnceAndNameTheParameter() {
    assertThatThrownBy(() -> Limit.builder("a").limit(-3)).hasMessage("limit must be > 0 (was -3)");
    assertThatThrownBy(() -> Limit.builder("a").window("0ms")).hasMessage("window must be at least 1ms (was 0ms)");
    assertThatThrownBy(() -> Limit.builder("a").concurrency(3).limit(5).build())
        .hasMessageContaining("concurrency replaces limit, window and algorithm");
    assertThatThrownBy(() -> Policy.builder().limit(Limit.builder("a").routes("nope").limit(1).window("1s").build()).build())
        .hasMessage("limit 'a' names route 'nope', which does not exist");
  }

  @Test
  void activeBansNameTheirCallersKeyWithTheAlternativeThatHadAValue() {
    Policy p = Policy.builder().limit(Limit.builder("w").limit(1).window("1h").key("header:X-User|client-ip").build())
        .ban(new Ban(List.of(List.of(KeyPart.parse("header:X-User"), KeyPart.of(KeyPart.Kind.CLIENT_IP))), 1, "1m", "1h",
            403, "application/json", Ban.DEFAULT_BODY))
        .build();
    List<String> started = new java.util.ArrayList<>();
    RateLimiter l = RateLimiter.builder(p).clock(clock)
        .banListener((key, until) -> started.add(key + " until " + (until - clock.epochMillis()))).build();
    RequestInfo zoe = RequestInfo.builder().method("GET").path("/").clientIp("203.0.113.7").header("X-User", "zoë ☃")
        .build();
    RequestInfo anonymous = req("GET", "/", "198.51.100.1");
    for (RequestInfo r : List.of(zoe, anonymous)) {
      assertThat(l.decide(r).allowed()).isTrue();
      assertThat(l.decide(r).allowed()).isFalse(); // the first refusal bans (after: 1)
      assertThat(l.decide(r).outcome()).isEqualTo(Decision.Outcome.BANNED);
    }
    assertThat(l.bans(10)).extracting(RateLimiter.ActiveBan::key)
        .containsExactlyInAnyOrder("header:x-user=zoë ☃", "client-ip=198.51.100.1");
    assertThat(l.bans(1)).hasSize(1);
    assertThat(started).containsExactly("header:x-user=zoë ☃ until 3600000", "client-ip=198.51.100.1 until 3600000");
  }
}
