package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.client.DialectsTest.Dialect;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many requests at once, the case of a queue worker or a batch job: a real server limiting 4 per 2
 * s (fixed windows on the fake clock, its own 7 s behind), in every dialect that says what remains.
 * The client probes with one request, learns the limit from its answer, and from then on never
 * sends more than the server said remain, nor, when a pause or window ends, more than the quota:
 * zero refusals, in the least time the windows allow.
 */
class SlowStartTest {

  private static final int LIMIT = 4;
  private static final long WINDOW = 2_000;

  private final FakeTime time = new FakeTime();
  private final AtomicInteger refused = new AtomicInteger();
  private final Map<Long, Integer> arrivalsAt = new ConcurrentHashMap<>();
  private TinyServer server;

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  static Stream<Arguments> dialectsAndCounts() {
    List<Arguments> out = new ArrayList<>();
    for (Dialect d : Dialect.values()) {
      if (d.saysWhatRemains) {
        for (int n : new int[] {12, 100, 1000}) {
          out.add(Arguments.of(d, n));
        }
      }
    }
    return out.stream();
  }

  private List<Integer> sendAll(TollgateClient c, URI uri, int n) throws Exception {
    List<CompletableFuture<HttpResponse<Void>>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.add(c.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
    }
    time.runUntil(() -> all.stream().allMatch(CompletableFuture::isDone),
        () -> c.snapshot().values().stream().allMatch(b -> b.inFlight() == 0));
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<Void>> f : all) {
      statuses.add(f.get(60, TimeUnit.SECONDS).statusCode());
    }
    return statuses;
  }

  /** The least time {@code n} requests can take: the windows they need, the first one partly gone. */
  private long leastTime(int n) {
    long serverStart = time.start - DialectsTest.SKEW;
    long firstWindowLeft = WINDOW - Math.floorMod(serverStart, WINDOW);
    long windows = (n + LIMIT - 1) / LIMIT;
    return windows <= 1 ? 0 : firstWindowLeft + (windows - 2) * WINDOW;
  }

  private TollgateClient.Builder client() {
    return TollgateClient.builder().time(time.clock, time.queued).maxWait(Duration.ofHours(1));
  }

  @ParameterizedTest(name = "{0}: {1} at once")
  @MethodSource("dialectsAndCounts")
  void manyAtOnceGetThroughWithoutOneRefusal(Dialect dialect, int n) throws Exception {
    server = DialectsTest.serve(dialect, new FixedWindow(LIMIT, WINDOW), time, refused, arrivalsAt);
    List<Integer> statuses = sendAll(client().build(), server.uri("/jobs"), n);
    assertThat(statuses).containsOnly(200).hasSize(n);
    assertThat(refused.get()).as("refusals").isZero();
    assertThat(Collections.max(arrivalsAt.values())).as("never more at one instant than the quota").isEqualTo(LIMIT);
    assertThat(time.elapsed()).as("each window used to the full and waited for to the millisecond")
        .isEqualTo(leastTime(n));
  }

  @Test
  void afterAPauseOnlyTheQuotaGoesAndTheRestWaitsForTheAnswers() throws Exception {
    FixedWindow window = new FixedWindow(LIMIT, WINDOW);
    window.spend(time.millis.get() - DialectsTest.SKEW); // another client used this window up
    server = DialectsTest.serve(Dialect.IETF, window, time, refused, arrivalsAt);
    List<Integer> statuses = sendAll(client().build(), server.uri("/jobs"), 40);
    assertThat(statuses).containsOnly(200);
    assertThat(refused.get()).as("only the probe, which found the window spent").isEqualTo(1);
    assertThat(Collections.max(arrivalsAt.values())).as("at the pause's end: the quota, no more").isEqualTo(LIMIT);
  }

  @Test
  void aBucketWhoseWindowEndedUnheardReleasesTheQuotaAndNoMore() throws Exception {
    server = DialectsTest.serve(Dialect.X_RATELIMIT_EPOCH_SECONDS, new FixedWindow(LIMIT, WINDOW), time, refused,
        arrivalsAt);
    TollgateClient c = client().build();
    URI uri = server.uri("/jobs");
    assertThat(sendAll(c, uri, 3)).containsOnly(200);
    time.millis.addAndGet(60_000); // a minute of nothing: what the client knew has lapsed
    assertThat(sendAll(c, uri, 30)).containsOnly(200);
    assertThat(refused.get()).isZero();
    assertThat(Collections.max(arrivalsAt.values())).isEqualTo(LIMIT);
  }

  @Test
  void withoutTheProbeTheFirstBurstGoesAtOnceAndIsRefused() throws Exception {
    FixedWindow window = new FixedWindow(LIMIT, WINDOW);
    java.util.concurrent.CountDownLatch allTwelve = new java.util.concurrent.CountDownLatch(12);
    // The first instant's answers wait until all twelve have arrived: none can teach the client
    // anything before its burst is out, however the threads run.
    server = new TinyServer(request -> {
      long now = time.millis.get() - DialectsTest.SKEW;
      arrivalsAt.merge(now, 1, Integer::sum);
      FixedWindow.Taken taken = window.take(now);
      if (!taken.ok()) {
        refused.incrementAndGet();
      }
      if (now == time.start - DialectsTest.SKEW) {
        allTwelve.countDown();
        try {
          allTwelve.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new TinyServer.Response(taken.ok() ? 200 : 429, Dialect.IETF.headers.apply(taken), "");
    });
    TollgateClient c = client().probeFirst(false).maxAttempts(10).build();
    assertThat(sendAll(c, server.uri("/jobs"), 12)).containsOnly(200);
    assertThat(arrivalsAt.get(time.start - DialectsTest.SKEW)).as("all twelve at the first instant").isEqualTo(12);
    assertThat(refused.get()).as("the burst beyond the limit").isEqualTo(12 - LIMIT);
    assertThat(c.snapshot().values().iterator().next().allowance()).isPresent();
  }

  /**
   * Answers overtake each other on the way back: with three in flight, the one counted last (1
   * remaining, say) arrives first and allows nothing more while the other two are out; when those
   * arrive, saying more remained, each still frees its place. The window is used to the full: 12
   * requests at 6 per window take two windows, not three.
   */
  @Test
  void answersOvertakenOnTheWayBackLeaveNothingOfTheWindowUnused() throws Exception {
    FixedWindow window = new FixedWindow(6, WINDOW);
    java.util.concurrent.CountDownLatch overtaken = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger counted = new AtomicInteger();
    server = new TinyServer(request -> {
      FixedWindow.Taken taken = window.take(time.millis.get() - DialectsTest.SKEW);
      int n = counted.incrementAndGet();
      if (!taken.ok()) {
        refused.incrementAndGet();
      }
      if (n == 2 || n == 3) { // counted before the 4th, answered after it
        try {
          overtaken.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new TinyServer.Response(taken.ok() ? 200 : 429, Dialect.IETF.headers.apply(taken), "");
    });
    URI uri = server.uri("/jobs");
    TollgateClient c = client().concurrency(TollgateClient.hostPort(uri), 3).build();
    Thread watcher = new Thread(() -> { // once the 4th's answer is in (2 out, nothing allowed), the others come back
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < giveUp) {
        BucketState b = c.snapshot().get(TollgateClient.hostPort(uri));
        if (b != null && b.inFlight() == 2 && b.allowance().orElse(-1) == 0) {
          break;
        }
        Thread.onSpinWait();
      }
      overtaken.countDown();
    });
    watcher.start();
    assertThat(sendAll(c, uri, 12)).containsOnly(200);
    watcher.join();
    assertThat(refused.get()).isZero();
    assertThat(time.elapsed()).as("two windows: the rest of the first, then the next").isEqualTo(
        WINDOW - Math.floorMod(time.start - DialectsTest.SKEW, WINDOW));
  }
}
