package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real HTTP server that enforces 3 requests per second on a fake clock that the client's
 * waits advance: no test waits in real time.
 */
class TollgateClientTest {

  static {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final FakeTime time = new FakeTime();
  private final AtomicInteger served = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** 3 per whole second; {@code headers}: say so (IETF fields and Retry-After) or send bare statuses. */
  private URI start(boolean headers, int failingStatus) throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    FixedWindow window = new FixedWindow(3);
    server.createContext("/", exchange -> {
      long now = time.millis.get();
      if (failingStatus != 0 && served.get() + refused.get() == 0) {
        refused.incrementAndGet();
        exchange.sendResponseHeaders(failingStatus, -1);
        exchange.close();
        return;
      }
      FixedWindow.Taken taken = window.take(now);
      boolean ok = taken.ok();
      long remaining = taken.remaining();
      long resetSeconds = taken.resetSeconds();
      if (headers) {
        exchange.getResponseHeaders().add("RateLimit-Policy", "\"per-second\";q=3;w=1");
        exchange.getResponseHeaders().add("RateLimit", "\"per-second\";r=" + remaining + ";t=" + resetSeconds);
        if (!ok) {
          exchange.getResponseHeaders().add("Retry-After", Long.toString(resetSeconds));
        }
      }
      (ok ? served : refused).incrementAndGet();
      exchange.sendResponseHeaders(ok ? 200 : 429, -1);
      exchange.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/items");
  }

  private TollgateClient.Builder client() {
    return TollgateClient.builder().time(time.clock, time.sleeper)
        .backoff(Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(5)).withRandom(bound -> bound / 2));
  }

  @Test
  void whenTheServerSaysWhatRemainsEveryRequestSucceedsWithoutOneRefusal() throws Exception {
    URI uri = start(true, 0);
    TollgateClient c = client().build();
    for (int i = 0; i < 20; i++) {
      assertThat(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(200);
    }
    assertThat(refused.get()).as("the client waited for each reset instead").isZero();
    assertThat(served.get()).isEqualTo(20);
    assertThat(time.elapsed())
        .as("20 at 3 per second take 6 whole seconds of waiting").isEqualTo(6_000);
    assertThat(c.snapshot()).hasSize(1);
  }

  @Test
  void sendAsyncPacesAndFailsLikeSend() throws Exception {
    URI uri = start(true, 0);
    TollgateClient c = client().maxWait(Duration.ofSeconds(5)).build();
    java.util.concurrent.CompletableFuture<Integer> chain = java.util.concurrent.CompletableFuture.completedFuture(0);
    for (int i = 0; i < 20; i++) { // one after another, none waiting on a thread
      chain = chain.thenCompose(ok -> c.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
          .thenApply(r -> ok + (r.statusCode() == 200 ? 1 : 0)));
    }
    assertThat(chain.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(20);
    assertThat(refused.get()).isZero();
    assertThat(time.elapsed()).isEqualTo(6_000);
    time.millis.addAndGet(1_000); // a fresh server window for a fresh client
    TollgateClient hasty = client().maxWait(Duration.ofMillis(100)).build();
    for (int i = 0; i < 3; i++) {
      hasty.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
    assertThat(hasty.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()))
        .failsWithin(Duration.ofSeconds(10)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(RetryLaterException.class);
  }

  @Test
  void aBucketCappedAtTwoInFlightNeverHasMore() throws Exception {
    java.util.concurrent.Semaphore answer = new java.util.concurrent.Semaphore(0);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger arrived = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
    server.setExecutor(threads);
    server.createContext("/", exchange -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      arrived.incrementAndGet();
      answer.acquireUninterruptibly(); // held until the test lets it answer
      inFlight.decrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/job");
    // The cap alone: no probe first, which would hold the others until an answer the server holds back.
    TollgateClient c = client().concurrency("127.0.0.1:" + uri.getPort(), 2).probeFirst(false).build();
    java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> jobs = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      jobs.add(c.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()));
    }
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (arrived.get() < 2 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // the first two are held at the server
    }
    answer.release(10);
    for (var job : jobs) {
      assertThat(job.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(arrived.get()).isEqualTo(10);
    assertThat(most.get()).as("in flight at the server at once").isEqualTo(2);
    threads.shutdown();
  }

  @Test
  void whenItSaysNothingTheRefusalsAreRetriedWithBackoffUntilTheyGoThrough() throws Exception {
    URI uri = start(false, 0);
    AtomicInteger told = new AtomicInteger();
    AtomicInteger retries = new AtomicInteger();
    AtomicLong pacedMillis = new AtomicLong();
    TollgateClient c = client().maxAttempts(10).listener(new Listener() {
      @Override
      public void refused(HttpRequest request, int status) {
        assertThat(status).isEqualTo(429);
        told.incrementAndGet();
      }

      @Override
      public void retryScheduled(HttpRequest request, int attempt, Duration wait) {
        assertThat(attempt).isBetween(2, 10);
        retries.incrementAndGet();
      }

      @Override
      public void paced(HttpRequest request, Duration wait) {
        pacedMillis.addAndGet(wait.toMillis());
      }
    }).build();
    for (int i = 0; i < 12; i++) {
      assertThat(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(200);
    }
    assertThat(served.get()).isEqualTo(12);
    assertThat(refused.get()).as("it had to learn the limit by refusals").isPositive();
    assertThat(told.get()).as("the listener heard every refusal").isEqualTo(refused.get());
    assertThat(retries.get()).isEqualTo(refused.get());
    assertThat(pacedMillis.get()).as("every wait went through the listener")
        .isEqualTo(time.elapsed());
  }

  @Test
  void aLimitDeclaredUpFrontKeepsAnApiWithoutHeadersFromRefusingAtAll() throws Exception {
    URI uri = start(false, 0);
    TollgateClient c = client().declare("127.0.0.1:" + uri.getPort(), "3/1s").build();
    for (int i = 0; i < 10; i++) {
      assertThat(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(200);
    }
    assertThat(refused.get()).isZero();
    assertThat(time.elapsed()).isEqualTo(3_000);
    time.millis.addAndGet(1_700); // a client that starts late in the server's window
    for (int i = 0; i < 10; i++) {
      assertThat(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(200);
      time.millis.addAndGet(i * 37 % 300); // and sends unevenly
    }
    assertThat(refused.get()).as("no server window ever saw more than 3").isZero();
    assertThatThrownBy(() -> client().declare("x", "3 per second")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("such as 60/1m");
  }

  @Test
  void aPostIsRetriedOnlyWhenTheResponseProvesItWasNotProcessedOrItHasAnIdempotencyKey() throws Exception {
    URI uri = start(true, 500);
    TollgateClient c = client().retryOn(Set.of(500)).build();
    HttpRequest post = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThat(c.send(post, HttpResponse.BodyHandlers.discarding()).statusCode()).as("500 may have been processed")
        .isEqualTo(500);
    stop();
    served.set(0);
    refused.set(0);
    uri = start(true, 500);
    HttpRequest keyed = HttpRequest.newBuilder(uri).header("Idempotency-Key", "k-1")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    assertThat(c.send(keyed, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    assertThat(c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
  }

  @Test
  void aWaitLongerThanMaxWaitFailsAtOnceSayingWhenToTryAgain() throws Exception {
    URI uri = start(true, 0);
    TollgateClient c = client().maxWait(Duration.ofMillis(200)).build();
    for (int i = 0; i < 3; i++) {
      c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
    Instant reset = Instant.parse("2026-03-04T00:00:01Z");
    assertThatThrownBy(() -> c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(RetryLaterException.class)
        .satisfies(e -> assertThat(((RetryLaterException) e).retryAt()).isEqualTo(reset))
        .hasMessageContaining("try again at " + reset);
    assertThat(refused.get()).as("it was not sent").isZero();
  }

  @Test
  void aWaitThatWouldEndPastTheCallsDeadlineFailsAtOnce() throws Exception {
    URI uri = start(true, 0);
    TollgateClient c = client().deadline(Duration.ofMillis(500)).build();
    for (int i = 0; i < 3; i++) {
      c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
    assertThatThrownBy(() -> c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(RetryLaterException.class).hasMessageContaining("past the call's deadline");
    TollgateClient patient = client().deadline(Duration.ofSeconds(2)).build();
    assertThat(patient.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
        .as("a new client learns the limit by one refusal, then waits within its deadline").isEqualTo(200);
  }
}
