package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One real server limiting 3 requests per whole second, speaking one dialect at a time (its Date on
 * the fake clock, 7 s behind the client's where the dialect uses epoch times, so the skew is
 * corrected). Where the dialect tells what remains, 12 requests get through with zero refusals in
 * exactly 3 s of waiting; where it only says how long to wait after a refusal, one refusal per
 * window; malformed values are ignored and the client still gets through.
 */
class DialectsTest {

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
  static final long SKEW = 7_000; // the server's clock is behind the client's by this much

  /** What a server says, given what the window says (on the server's clock). */
  enum Dialect {
    X_RATELIMIT_EPOCH_SECONDS(true, t -> headers("X-RateLimit-Limit", "" + t.limit(), "X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-Reset", "" + t.resetAt() / 1000)),
    X_RATELIMIT_EPOCH_MILLIS(true, t -> headers("X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-Reset", "" + t.resetAt())),
    X_RATELIMIT_DELTA_SECONDS(true, t -> headers("X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-Reset", "" + t.resetSeconds())),
    SWCOMBINE_RESET_TIME(true, t -> headers("X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-ResetTime", HTTP_DATE.format(Instant.ofEpochMilli(t.resetAt()).atOffset(ZoneOffset.UTC)))),
    DRAFT_RATELIMIT(true, t -> headers("RateLimit-Limit", "" + t.limit(), "RateLimit-Remaining", "" + t.remaining(),
        "RateLimit-Reset", "" + t.resetSeconds())),
    IETF(true, t -> headers("RateLimit-Policy", "\"window\";q=" + t.limit() + ";w=" + t.windowSeconds(),
        "RateLimit", "\"window\";r=" + t.remaining() + ";t=" + t.resetSeconds())),
    RETRY_AFTER_SECONDS(false, t -> t.ok() ? headers() : headers("Retry-After", "" + t.resetSeconds())),
    RETRY_AFTER_DATE(false, t -> t.ok() ? headers()
        : headers("Retry-After", HTTP_DATE.format(Instant.ofEpochMilli(t.resetAt()).atOffset(ZoneOffset.UTC)))),
    PLATFORM_RETRY_AFTER_EPOCH(false, t -> t.ok() ? headers()
        : headers("X-Ratelimit-Retry-After", "" + t.resetAt() / 1000)),
    MALFORMED(false, t -> headers("X-RateLimit-Remaining", "many", "X-RateLimit-Reset", "soon",
        "X-RateLimit-ResetTime", "tomorrow", "RateLimit-Remaining", "-", "RateLimit", "\"p\";r=;t=x, ((",
        "RateLimit-Policy", "q=" + t.limit() + ";;", "Retry-After", t.ok() ? "later" : "Fri, 99 Foo 2026"));

    final boolean saysWhatRemains;
    final Function<FixedWindow.Taken, List<String[]>> headers;

    Dialect(boolean saysWhatRemains, Function<FixedWindow.Taken, List<String[]>> headers) {
      this.saysWhatRemains = saysWhatRemains;
      this.headers = headers;
    }
  }

  private static List<String[]> headers(String... namesAndValues) {
    return TinyServer.headers(namesAndValues);
  }

  /**
   * A real server limiting by {@code window} on {@code time} (its clock {@link #SKEW} behind), that
   * speaks {@code dialect}, counts its refusals and how many requests arrived at each instant.
   */
  static TinyServer serve(Dialect dialect, FixedWindow window, FakeTime time, AtomicInteger refused,
      java.util.Map<Long, Integer> arrivalsAt) throws java.io.IOException {
    return new TinyServer(request -> {
      long serverNow = time.millis.get() - SKEW;
      arrivalsAt.merge(serverNow, 1, Integer::sum);
      FixedWindow.Taken taken = window.take(serverNow);
      if (!taken.ok()) {
        refused.incrementAndGet();
      }
      List<String[]> h = new ArrayList<>(dialect.headers.apply(taken));
      h.add(new String[] {"Date", HTTP_DATE.format(Instant.ofEpochMilli(serverNow).atOffset(ZoneOffset.UTC))});
      return new TinyServer.Response(taken.ok() ? 200 : 429, h, "");
    });
  }

  private final FakeTime time = new FakeTime();
  private TinyServer server;

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Dialect.class)
  void everyRequestGetsThroughAndWhereTheServerSaysWhatRemainsWithoutOneRefusal(Dialect dialect) throws Exception {
    AtomicInteger refused = new AtomicInteger();
    server = serve(dialect, new FixedWindow(3), time, refused, new java.util.concurrent.ConcurrentHashMap<>());
    URI uri = server.uri("/items");
    TollgateClient c = TollgateClient.builder().time(time.clock, time.sleeper).maxAttempts(10)
        .backoff(Backoff.exponential(java.time.Duration.ofMillis(100), java.time.Duration.ofSeconds(2))
            .withRandom(bound -> bound / 2))
        .build();
    for (int i = 0; i < 12; i++) {
      assertThat(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .as("request " + i).isEqualTo(200);
    }
    if (dialect.saysWhatRemains) {
      assertThat(refused.get()).isZero();
      assertThat(time.elapsed()).as("four windows of three, each waited for to the millisecond").isEqualTo(3_000);
    } else if (dialect != Dialect.MALFORMED) {
      assertThat(refused.get()).as("told only after a refusal: one per window").isEqualTo(3);
    } else {
      assertThat(refused.get()).as("it learns nothing from garbage, but gets through").isPositive();
    }
  }

  /**
   * IETF's {@code t} counts whole seconds, rounded up: an answer 600 ms into a one-second window
   * says {@code t=1} as the first one did, and only the first one is close. The pause after
   * "nothing remains" ends at the earliest reset the window's answers gave, not the last one's.
   */
  @org.junit.jupiter.api.Test
  void aWindowEndsAtTheEarliestResetItsAnswersGaveNotTheLast() throws Exception {
    AtomicInteger refused = new AtomicInteger();
    server = serve(Dialect.IETF, new FixedWindow(3), time, refused, new java.util.concurrent.ConcurrentHashMap<>());
    URI uri = server.uri("/items");
    TollgateClient c = TollgateClient.builder().time(time.clock, time.sleeper).build();
    HttpRequest get = HttpRequest.newBuilder(uri).build();
    assertThat(c.send(get, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200); // t=1 at +0
    time.millis.addAndGet(600);
    for (int i = 0; i < 3; i++) { // t=1 at +600 twice, then the next window
      assertThat(c.send(get, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }
    assertThat(refused.get()).isZero();
    assertThat(time.elapsed()).as("600 ms, then the 400 ms left of the window, not 1,000").isEqualTo(1_000);
  }
}
