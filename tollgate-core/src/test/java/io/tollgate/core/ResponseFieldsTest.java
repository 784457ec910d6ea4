package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header sets and body templates of docs/http-behaviour.md, value by value. */
class ResponseFieldsTest {

  private final FakeClock clock = FakeClock.atWholeDay(); // 2026-03-04T00:00:00Z = 1772582400

  private static Map<String, String> headers(Decision d, long now) {
    Map<String, String> out = new LinkedHashMap<>();
    ResponseFields.headers(d, now, out::put);
    return out;
  }

  private RateLimiter limiter(Policy.Builder p) {
    return RateLimiter.builder(p.build()).clock(clock).build();
  }

  @Test
  void oneStackHeadersOnEveryResponseAndRetryAfterOnlyOnRefusals() {
    RateLimiter l = limiter(Policy.builder()
        .refusal(Refusal.empty().withHeaders(List.of(HeaderSet.X_RATELIMIT, HeaderSet.RETRY_AFTER)))
        .limit(Limit.builder("per-tenant").limit(2).window("1m").build()));
    clock.advance(Duration.ofSeconds(37));
    long now = clock.epochMillis();
    assertThat(headers(l.tryAcquire("per-tenant", "t", 1), now)).containsExactly(
        Map.entry("X-RateLimit-Limit", "2"), Map.entry("X-RateLimit-Remaining", "1"),
        Map.entry("X-RateLimit-Reset", "1772582460"));
    l.tryAcquire("per-tenant", "t", 1);
    Decision refused = l.tryAcquire("per-tenant", "t", 1);
    assertThat(headers(refused, now)).containsExactly(
        Map.entry("X-RateLimit-Limit", "2"), Map.entry("X-RateLimit-Remaining", "0"),
        Map.entry("X-RateLimit-Reset", "1772582460"), Map.entry("Retry-After", "23"));
    assertThat(ResponseFields.body(refused, now)).isEqualTo("{\"error\":\"Rate limit exceeded\",\"code\":\"RATE_LIMIT_EXCEEDED\","
        + "\"details\":{\"limit\":2,\"window\":\"1m\",\"retryAfter\":23}}");
  }

  @Test
  void retryAfterAloneLeavesAllowedResponsesWithoutFields() { // docs/embedding.md: the cheap choice
    RateLimiter l = limiter(Policy.builder()
        .refusal(Refusal.empty().withHeaders(List.of(HeaderSet.RETRY_AFTER)))
        .limit(Limit.builder("per-ip").limit(1).window("1m").build()));
    clock.advance(Duration.ofSeconds(37));
    long now = clock.epochMillis();
    assertThat(headers(l.tryAcquire("per-ip", "a", 1), now)).isEmpty();
    assertThat(headers(l.tryAcquire("per-ip", "a", 1), now)).containsExactly(Map.entry("Retry-After", "23"));
  }

  @Test
  void resetTimeIsTheSeedsDateFormat() {
    assertThat(ResponseFields.resetTime(1330819320L)).isEqualTo("Sun, 04 Mar 2012 00:02:00 +0000");
    RateLimiter l = limiter(Policy.builder()
        .refusal(Refusal.empty().withStatus(400).withHeaders(List.of(HeaderSet.X_RATELIMIT_RESET_TIME,
            HeaderSet.X_RATELIMIT_RETRY_AFTER)))
        .limit(Limit.builder("per-ip").limit(600).window("1h").build()));
    assertThat(headers(l.tryAcquire("per-ip", "ip", 1), clock.epochMillis())).containsExactly(
        Map.entry("X-RateLimit-ResetTime", "Wed, 04 Mar 2026 01:00:00 +0000"),
        Map.entry("X-Ratelimit-Retry-After", "1772586000"));
  }

  @Test
  void ietfFieldsListEveryEnforcedLimitAndDescribeTheReportedOne() {
    RateLimiter l = limiter(Policy.builder()
        .refusal(Refusal.empty().withHeaders(List.of(HeaderSet.RATELIMIT, HeaderSet.RATELIMIT_LEGACY)))
        .limit(Limit.builder("per-ip").limit(600).window("1h").build())
        .limit(Limit.builder("jobs").concurrency(10).build())
        .limit(Limit.builder("trial").limit(1).window("1s").mode(Mode.SHADOW).build()));
    clock.advance(Duration.ofSeconds(1));
    Decision d = l.decide(RequestInfo.builder().path("/").clientIp("192.0.2.1").build());
    assertThat(headers(d, clock.epochMillis())).containsExactly(
        Map.entry("RateLimit-Policy", "\"per-ip\";q=600;w=3600, \"jobs\";q=10;qu=\"concurrent-requests\""),
        Map.entry("RateLimit", "\"jobs\";r=9;t=0"),
        Map.entry("RateLimit-Limit", "10"), Map.entry("RateLimit-Remaining", "9"), Map.entry("RateLimit-Reset", "0"));
  }

  @Test
  void everyPlaceholderIsFilledJsonSafeAndUnknownOnesAreLeftAlone() {
    RateLimiter l = limiter(Policy.builder()
        .refusal(Refusal.empty().withStatus(509).withBody("${limit} ${remaining} ${reset} ${reset-time} ${retry-after} "
            + "${retry-after-ms} ${window} ${window-ms} ${policy} ${status} ${nope}"))
        .limit(Limit.builder("say \"hi\"").limit(1).window("15m").build()));
    l.tryAcquire("say \"hi\"", "k", 1);
    Decision refused = l.tryAcquire("say \"hi\"", "k", 1);
    assertThat(ResponseFields.body(refused, clock.epochMillis())).isEqualTo(
        "1 0 1772583300 Wed, 04 Mar 2026 00:15:00 +0000 900 900000 15m 900000 say \\\"hi\\\" 509 ${nope}");
  }

  @Test
  void theSalesTimBodyCarriesTheWindowInMilliseconds() {
    RateLimiter l = limiter(Policy.builder()
        .refusal(Refusal.empty().withBody("{\"message\":\"Too many requests, please try again later...\",\"body\":"
            + "{\"rateLimitExceeded\":{\"rateLimitWindow\":${window-ms},\"ratelimitMax\":${limit}}}}"))
        .limit(Limit.builder("template-store").limit(1).window("15m").build()));
    l.tryAcquire("template-store", "ip", 1);
    assertThat(ResponseFields.body(l.tryAcquire("template-store", "ip", 1), clock.epochMillis())).isEqualTo(
        "{\"message\":\"Too many requests, please try again later...\",\"body\":{\"rateLimitExceeded\":"
            + "{\"rateLimitWindow\":900000,\"ratelimitMax\":1}}}");
  }

  @Test
  void aBannedCallerIsToldWhenTheBanEnds() {
    Ban ban = new Ban(List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP))), 1, "1m", "1h", 403, "application/json",
        Ban.DEFAULT_BODY);
    RateLimiter l = limiter(Policy.builder().ban(ban).limit(Limit.builder("tiny").limit(1).window("1m").build()));
    RequestInfo r = RequestInfo.builder().path("/").clientIp("198.51.100.7").build();
    l.decide(r);
    l.decide(r); // refused: the first refusal reaches after=1
    Decision banned = l.decide(r);
    assertThat(banned.outcome()).isEqualTo(Decision.Outcome.BANNED);
    assertThat(ResponseFields.body(banned, clock.epochMillis())).isEqualTo("{\"error\":\"banned\",\"until\":1772586000}");
    assertThat(headers(banned, clock.epochMillis())).containsExactly(Map.entry("Retry-After", "3600"));
  }
}
