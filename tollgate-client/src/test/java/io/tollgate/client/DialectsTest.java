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
  private static final long SKEW = 7_000; // the server's clock is behind the client's by this much

  /** What a server says, given what the window says (on the server's clock). */
  enum Dialect {
    X_RATELIMIT_EPOCH_SECONDS(true, t -> headers("X-RateLimit-Limit", "3", "X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-Reset", "" + t.resetAt() / 1000)),
    X_RATELIMIT_EPOCH_MILLIS(true, t -> headers("X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-Reset", "" + t.resetAt())),
    X_RATELIMIT_DELTA_SECONDS(true, t -> headers("X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-Reset", "" + t.resetSeconds())),
    SWCOMBINE_RESET_TIME(true, t -> headers("X-RateLimit-Remaining", "" + t.remaining(),
        "X-RateLimit-ResetTime", HTTP_DATE.format(Instant.ofEpochMilli(t.resetAt()).atOffset(ZoneOffset.UTC)))),
    DRAFT_RATELIMIT(true, t -> headers("RateLimit-Limit", "3", "RateLimit-Remaining", "" + t.remaining(),
        "RateLimit-Reset", "" + t.resetSeconds())),
    IETF(true, t -> headers("RateLimit-Policy", "\"per-second\";q=3;w=1",
        "RateLimit", "\"per-second\";r=" + t.remaining() + ";t=" + t.resetSeconds())),
    RETRY_AFTER_SECONDS(false, t -> t.ok() ? headers() : headers("Retry-After", "" + t.resetSeconds())),
    RETRY_AFTER_DATE(false, t -> t.ok() ? headers()
        : headers("Retry-After", HTTP_DATE.format(Instant.ofEpochMilli(t.resetAt()).atOffset(ZoneOffset.UTC)))),
    PLATFORM_RETRY_AFTER_EPOCH(false, t -> t.ok() ? headers()
        : headers("X-Ratelimit-Retry-After", "" + t.resetAt() / 1000)),
    MALFORMED(false, t -> headers("X-RateLimit-Remaining", "many", "X-RateLimit-Reset", "soon",
        "X-RateLimit-ResetTime", "tomorrow", "RateLimit-Remaining", "-", "RateLimit", "\"p\";r=;t=x, ((",
        "RateLimit-Policy", "q=3;;", "Retry-After", t.ok() ? "later" : "Fri, 99 Foo 2026"));

    final boolean saysWhatRemains;
    final Function<PerSecond.Taken, List<String[]>> headers;

    Dialect(boolean saysWhatRemains, Function<PerSecond.Taken, List<String[]>> headers) {
      this.saysWhatRemains = saysWhatRemains;
      this.headers = headers;
    }
  }

  private static List<String[]> headers(String... namesAndValues) {
    return TinyServer.headers(namesAndValues);
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
    PerSecond limit = new PerSecond(3);
    AtomicInteger refused = new AtomicInteger();
    server = new TinyServer(request -> {
      long serverNow = time.millis.get() - SKEW;
      PerSecond.Taken taken = limit.take(serverNow);
      if (!taken.ok()) {
        refused.incrementAndGet();
      }
      List<String[]> h = new ArrayList<>(dialect.headers.apply(taken));
      h.add(new String[] {"Date", HTTP_DATE.format(Instant.ofEpochMilli(serverNow).atOffset(ZoneOffset.UTC))});
      return new TinyServer.Response(taken.ok() ? 200 : 429, h, "");
    });
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
}
