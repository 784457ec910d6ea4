package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bucket's queue: priorities, its bound, even spreading, and buckets named by path or by the
 * server's policy. Against a real JDK HTTP server; time is a fake clock the client's waits move.
 */
class QueueTest {

  static {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final FakeTime time = new FakeTime();
  private final long start = time.start;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private HttpServer server;
  private TinyServer tiny;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop(0);
    }
    if (tiny != null) {
      tiny.close();
    }
    threads.shutdownNow();
  }

  private TollgateClient.Builder client() {
    return TollgateClient.builder().time(time.clock, time.sleeper);
  }

  /** A server that holds every request until the test lets it answer; records the X-Id of each, in order. */
  private final class Holding {
    final List<String> order = new ArrayList<>();
    final Semaphore answer = new Semaphore(0);
    final AtomicInteger arrived = new AtomicInteger();
    final URI uri;

    Holding() throws Exception {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setExecutor(threads);
      server.createContext("/", exchange -> {
        synchronized (order) {
          order.add(exchange.getRequestHeaders().getFirst("X-Id"));
        }
        arrived.incrementAndGet();
        answer.acquireUninterruptibly();
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
      });
      server.start();
      uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/job");
    }

    /** The bucket of this server, one request in flight at a time. */
    TollgateClient.Builder oneAtATime() {
      return client().concurrency(TollgateClient.hostPort(uri), 1);
    }

    CompletableFuture<HttpResponse<Void>> send(TollgateClient c, String id, int priority) {
      return c.sendAsync(HttpRequest.newBuilder(uri).header("X-Id", id).build(), HttpResponse.BodyHandlers.discarding(),
          priority);
    }
  }

  private static void awaitAtLeast(AtomicInteger n, int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (n.get() < count && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(n.get()).isGreaterThanOrEqualTo(count);
  }

  @Test
  void waitingRequestsGoHighestPriorityFirstThenInArrivalOrder() throws Exception {
    Holding h = new Holding();
    TollgateClient c = h.oneAtATime().build();
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    calls.add(h.send(c, "first", 0));
    awaitAtLeast(h.arrived, 1); // it holds the only slot; the rest queue behind it
    String[][] queued = {{"low-1", "0"}, {"high-1", "5"}, {"low-2", "0"}, {"urgent", "9"}, {"high-2", "5"}};
    for (String[] q : queued) {
      calls.add(h.send(c, q[0], Integer.parseInt(q[1])));
    }
    assertThat(c.snapshot().get(TollgateClient.hostPort(h.uri)).waiting()).isEqualTo(5);
    h.answer.release(6);
    for (var call : calls) {
      assertThat(call.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(h.order).containsExactly("first", "urgent", "high-1", "high-2", "low-1", "low-2");
  }

  @Test
  void aFullQueueRefusesAtOnceWithoutSendingAndTheOthersStillGo() throws Exception {
    Holding h = new Holding();
    TollgateClient c = h.oneAtATime().queueLimit(2).build();
    List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
    calls.add(h.send(c, "0", 0));
    awaitAtLeast(h.arrived, 1);
    for (int i = 1; i <= 2; i++) {
      calls.add(h.send(c, "" + i, 0));
    }
    CompletableFuture<HttpResponse<Void>> third = h.send(c, "3", 0);
    assertThat(third).isCompletedExceptionally();
    assertThat(third.handle((r, e) -> e).get()).isInstanceOf(QueueFullException.class)
        .hasMessageContaining("already has 2 requests waiting (queueLimit 2)");
    h.answer.release(3);
    for (var call : calls) {
      assertThat(call.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    assertThat(h.order).containsExactly("0", "1", "2");
    h.answer.release(1);
    assertThat(h.send(c, "4", 0).get(10, TimeUnit.SECONDS).statusCode()).as("room again once the queue drained")
        .isEqualTo(200);
  }

  /**
   * 10 per whole second, said in X-RateLimit-Remaining and X-RateLimit-Reset (epoch seconds, the
   * window's end) with a Date on the fake clock; records when each request arrived.
   */
  private URI tenPerSecond(List<Long> arrivals, AtomicInteger refused) throws Exception {
    FixedWindow window = new FixedWindow(10);
    tiny = new TinyServer(request -> {
      long now = time.millis.get();
      FixedWindow.Taken taken = window.take(now);
      if (taken.ok()) {
        synchronized (arrivals) {
          arrivals.add(now);
        }
      } else {
        refused.incrementAndGet();
      }
      return new TinyServer.Response(taken.ok() ? 200 : 429, "Date",
          DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(now).atOffset(ZoneOffset.UTC)),
          "X-RateLimit-Limit", "10", "X-RateLimit-Remaining", Long.toString(taken.remaining()),
          "X-RateLimit-Reset", Long.toString(taken.resetAt() / 1000));
    });
    return tiny.uri("/items");
  }

  @Test
  void spreadingSendsWhatRemainsEvenlyUntilTheResetInsteadOfInABurst() throws Exception {
    List<Long> burst = new ArrayList<>();
    AtomicInteger refused = new AtomicInteger();
    URI uri = tenPerSecond(burst, refused);
    TollgateClient eager = client().build();
    for (int i = 0; i < 30; i++) {
      eager.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
    assertThat(refused.get()).isZero();
    assertThat(burst.subList(0, 10)).as("without spreading, a window's ten go at once").containsOnly(start);

    time.millis.set(start + 10_000);
    List<Long> spread = new ArrayList<>();
    tiny.close();
    uri = tenPerSecond(spread, refused);
    TollgateClient even = client().spread(true).build();
    for (int i = 0; i < 30; i++) {
      even.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
    assertThat(refused.get()).isZero();
    for (int i = 1; i < spread.size(); i++) {
      assertThat(spread.get(i) - spread.get(i - 1)).as("gap before request " + i).isBetween(90L, 111L);
    }
    assertThat(spread.get(29) - spread.get(0)).as("no slower than the bursts' three windows").isLessThan(3_000);
    assertThat(spread.stream().filter(t -> t - spread.get(0) < 1_000)).as("every place of a window used").hasSize(10);
  }

  @Test
  void bucketsByTheServersPolicyShareAPolicysQuotaAcrossPathsAndKeepOthersApart() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger refused = new AtomicInteger();
    FixedWindow[] policies = {new FixedWindow(3), new FixedWindow(3)}; // "shared" (paths /a and /b), "other" (/c)
    server.createContext("/", exchange -> {
      int p = exchange.getRequestURI().getPath().equals("/c") ? 1 : 0;
      String policy = p == 0 ? "shared" : "other";
      FixedWindow.Taken taken = policies[p].take(time.millis.get());
      boolean ok = taken.ok();
      if (!ok) {
        refused.incrementAndGet();
      }
      exchange.getResponseHeaders().add("RateLimit-Policy", "\"" + policy + "\";q=3;w=1");
      exchange.getResponseHeaders().add("RateLimit", "\"" + policy + "\";r=" + taken.remaining() + ";t=" + taken.resetSeconds());
      exchange.sendResponseHeaders(ok ? 200 : 429, -1);
      exchange.close();
    });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    TollgateClient c = client().bucketByServerPolicy().build();
    for (String path : new String[] {"/a", "/b", "/c", "/a"}) { // /a, /b: 3 of shared; /c: 1 of other
      c.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding());
    }
    assertThat(time.millis.get()).isEqualTo(start);
    c.send(HttpRequest.newBuilder(URI.create(base + "/c")).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(time.millis.get()).as("'other' has quota left: /c did not wait for 'shared'").isEqualTo(start);
    c.send(HttpRequest.newBuilder(URI.create(base + "/b")).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(time.millis.get()).as("/b waited for the reset of 'shared', which /a used up").isEqualTo(start + 1_000);
    assertThat(refused.get()).isZero();
    String hp = TollgateClient.hostPort(URI.create(base));
    assertThat(c.snapshot()).containsKeys(hp + " shared", hp + " other");
  }

  @Test
  void bucketsByPathPrefixKeepEachPrefixApart() throws Exception {
    List<Long> arrivals = new ArrayList<>();
    AtomicInteger refused = new AtomicInteger();
    URI uri = tenPerSecond(arrivals, refused);
    String base = "http://127.0.0.1:" + uri.getPort();
    assertThat(arrivals).isEmpty();
    TollgateClient c = client().bucketByPathPrefix(1).build();
    for (String path : new String[] {"/v1/items/3", "/v1/orders", "/v2/items", "/"}) {
      c.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.discarding());
    }
    String hp = TollgateClient.hostPort(uri);
    assertThat(c.snapshot()).containsOnlyKeys(hp + "/v1", hp + "/v2", hp);
    assertThat(TollgateClient.hostPort(URI.create("https://api.example.com/x"))).isEqualTo("api.example.com:443");
  }

  @Test
  void aBlockingCallerInterruptedOrAFutureCancelledWhileQueuedLeavesTheQueue() throws Exception {
    Holding h = new Holding();
    TollgateClient c = h.oneAtATime().build();
    CompletableFuture<HttpResponse<Void>> first = h.send(c, "first", 0);
    awaitAtLeast(h.arrived, 1);
    ExecutorService sender = Executors.newSingleThreadExecutor();
    CompletableFuture<Throwable> blocked = CompletableFuture.supplyAsync(() -> {
      try {
        c.send(HttpRequest.newBuilder(h.uri).header("X-Id", "interrupted").build(), HttpResponse.BodyHandlers.discarding());
        return null;
      } catch (Exception e) {
        return e;
      }
    }, sender);
    String bucket = TollgateClient.hostPort(h.uri);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (c.snapshot().get(bucket).waiting() < 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    sender.shutdownNow(); // interrupts the blocked sender
    assertThat(blocked.get(10, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    CompletableFuture<HttpResponse<Void>> cancelled = h.send(c, "cancelled", 0);
    assertThat(c.snapshot().get(bucket).waiting()).as("the interrupted one has left").isEqualTo(1);
    cancelled.cancel(false);
    assertThat(c.snapshot().get(bucket).waiting()).isZero();
    h.answer.release(2);
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(h.send(c, "after", 0).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(h.order).as("the interrupted and the cancelled were never sent").containsExactly("first", "after");
    assertThat(c.snapshot().get(bucket).inFlight()).isZero();
    assertThat(time.elapsed()).isZero();
  }
}
