package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every dialect of rate-limit headers, on a fixed clock, malformed values included. */
class RateLimitHeadersTest {

  /** This client's clock: 2026-03-04T00:00:30Z. */
  private static final Instant NOW = Instant.parse("2026-03-04T00:00:30Z");

  private static ServerLimit read(String... nameValues) {
    return readAt(NOW, nameValues);
  }

  private static ServerLimit readAt(Instant now, String... nameValues) {
    Map<String, List<String>> map = new HashMap<>();
    for (int i = 0; i < nameValues.length; i += 2) {
      map.computeIfAbsent(nameValues[i], k -> new ArrayList<>()).add(nameValues[i + 1]);
    }
    return RateLimitHeaders.read(HttpHeaders.of(map, (a, b) -> true), now);
  }

  @Test
  void retryAfterInSecondsOrAsADate() {
    assertThat(read("Retry-After", "52").retryAfter()).hasValue(Duration.ofSeconds(52));
    assertThat(read("Retry-After", "Wed, 04 Mar 2026 00:01:00 GMT").retryAfter()).hasValue(Duration.ofSeconds(30));
    assertThat(read("Retry-After", "Wed, 04 Mar 2026 00:00:00 GMT").retryAfter()).as("in the past: now")
        .hasValue(Duration.ZERO);
  }

  @Test
  void xRateLimitResetAsEpochSecondsEpochMillisOrDelta() {
    ServerLimit epoch = read("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1772582460");
    assertThat(epoch.limit()).hasValue(60);
    assertThat(epoch.remaining()).hasValue(0);
    assertThat(epoch.resetAt()).hasValue(Instant.parse("2026-03-04T00:01:00Z"));
    assertThat(read("X-RateLimit-Reset", "1772582460000").resetAt()).hasValue(Instant.parse("2026-03-04T00:01:00Z"));
    assertThat(read("X-RateLimit-Reset", "45").resetAt()).hasValue(NOW.plusSeconds(45));
  }

  @Test
  void aServersEpochTimesMoveOntoThisClocksTimeByTheSkewItsDateShows() {
    // The server's clock is 10 s ahead of this one: its reset at :01:10 is :01:00 here.
    ServerLimit skewed = read("Date", "Wed, 04 Mar 2026 00:00:40 GMT", "X-RateLimit-Reset", "1772582470",
        "X-Ratelimit-Retry-After", "1772582470");
    assertThat(skewed.resetAt()).hasValue(Instant.parse("2026-03-04T00:01:00Z"));
    assertThat(skewed.retryAfter()).hasValue(Duration.ofSeconds(30));
    assertThat(read("Date", "Wed, 04 Mar 2026 00:00:40 GMT", "X-RateLimit-Reset", "30").resetAt())
        .as("a delta needs no correction").hasValue(NOW.plusSeconds(30));
  }

  @Test
  void aDatesWholeSecondIsNotTakenForSkewSoAWholeSecondResetStaysExact() {
    Instant later = NOW.plusMillis(700); // Date says :30, truncated; the clocks agree
    assertThat(readAt(later, "Date", "Wed, 04 Mar 2026 00:00:30 GMT", "X-RateLimit-Reset", "1772582431").resetAt())
        .hasValue(Instant.parse("2026-03-04T00:00:31Z"));
    assertThat(readAt(later, "Date", "Wed, 04 Mar 2026 00:00:28 GMT", "X-RateLimit-Reset", "1772582431").resetAt())
        .as("2.7 s is skew").hasValue(Instant.parse("2026-03-04T00:00:33.700Z"));
  }

  @Test
  void aResetGivenAsADeltaAndAsAnEpochThatAgreeIsTakenFromTheFinerEpoch() {
    Instant later = NOW.plusMillis(700);
    // t=1 is "within a second", rounded up; X-RateLimit-Reset says :31 exactly
    assertThat(readAt(later, "X-RateLimit-Reset", "1772582431", "RateLimit", "\"p\";r=0;t=1").resetAt())
        .hasValue(Instant.parse("2026-03-04T00:00:31Z"));
    assertThat(readAt(later, "X-RateLimit-Reset", "1772582431", "RateLimit-Reset", "1").resetAt())
        .hasValue(Instant.parse("2026-03-04T00:00:31Z"));
    assertThat(readAt(later, "X-RateLimit-Reset", "1772582431", "RateLimit", "\"p\";r=0;t=5").resetAt())
        .as("they disagree: the IETF field wins").hasValue(later.plusSeconds(5));
  }

  @Test
  void swCombinesResetTimeIsADate() {
    assertThat(read("X-RateLimit-ResetTime", "Wed, 04 Mar 2026 01:00:00 +0000").resetAt())
        .hasValue(Instant.parse("2026-03-04T01:00:00Z"));
  }

  @Test
  void earlyDraftsAndKongSendDeltaSeconds() {
    ServerLimit kong = read("RateLimit-Limit", "100", "RateLimit-Remaining", "7", "RateLimit-Reset", "20",
        "X-RateLimit-Limit", "5");
    assertThat(kong.limit()).as("the draft wins over X-RateLimit").hasValue(100);
    assertThat(kong.remaining()).hasValue(7);
    assertThat(kong.resetAt()).hasValue(NOW.plusSeconds(20));
  }

  @Test
  void theIetfFieldsNameThePolicyWithItsWindowUnitAndPartitionKey() {
    ServerLimit ietf = read(
        "RateLimit-Policy", "\"burst\";q=100;w=60, \"daily\";q=1000;w=86400;qu=\"requests\";pk=:Y2xpZW50LTE=:",
        "RateLimit", "\"burst\";r=50;t=30, \"daily\";r=3;t=3600;pk=:Y2xpZW50LTE=:");
    assertThat(ietf.policy()).as("the tightest").hasValue("daily");
    assertThat(ietf.remaining()).hasValue(3);
    assertThat(ietf.limit()).hasValue(1000);
    assertThat(ietf.window()).hasValue(Duration.ofDays(1));
    assertThat(ietf.quotaUnit()).hasValue("requests");
    assertThat(ietf.partitionKey()).hasValue("Y2xpZW50LTE=");
    assertThat(ietf.resetAt()).hasValue(NOW.plusSeconds(3600));
  }

  @Test
  void tollgatesOwnRefusalReadsWhole() {
    ServerLimit t = read("X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1772582460",
        "Retry-After", "30", "RateLimit-Policy", "\"per-ip\";q=5;w=60", "RateLimit", "\"per-ip\";r=0;t=30");
    assertThat(t.policy()).hasValue("per-ip");
    assertThat(t.limit()).hasValue(5);
    assertThat(t.remaining()).hasValue(0);
    assertThat(t.retryAfter()).hasValue(Duration.ofSeconds(30));
    assertThat(t.resetAt()).hasValue(NOW.plusSeconds(30));
  }

  @Test
  void malformedValuesAreIgnoredNeverThrown() {
    ServerLimit junk = read("Retry-After", "soon", "X-RateLimit-Limit", "sixty", "X-RateLimit-Remaining", "-",
        "X-RateLimit-Reset", "1e9", "X-RateLimit-ResetTime", "tomorrow", "Date", "yesterday",
        "RateLimit", "\"unterminated;r=1", "RateLimit-Policy", "?", "RateLimit-Reset", "-5");
    assertThat(junk.isEmpty()).as(junk.toString()).isTrue();
    ServerLimit partly = read("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "many", "RateLimit", "\"a\";r=;t=1");
    assertThat(partly.limit()).hasValue(60);
    assertThat(partly.remaining()).isEmpty();
    assertThat(read().isEmpty()).isTrue();
  }
}
