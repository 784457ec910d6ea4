package io.tollgate.benchmarks;

import io.tollgate.client.Listener;
import io.tollgate.client.TollgateClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wall time to get N requests through a gateway enforcing 50 per second (fixed window), one after
 * another: the Tollgate client against the seeds' {@code fetchWithRetry} (seed 004: on a 429, wait
 * Retry-After seconds, default 5, at most 3 attempts), side by side, alternating, in one run.
 *
 * <p>Each run starts just past a whole second, so it begins with a fresh window. The theoretical
 * minimum for N = 50k requests is (k - 1) whole seconds, for the windows to open, plus the time the
 * last window's 50 take at full speed (measured: the run's first 50, which nothing holds back).
 *
 * <p>Run with {@code tollgate-benchmarks/client/run.sh [requests] [rounds]}, which starts the
 * gateway on {@code tollgate-benchmarks/client/fifty-per-second.yaml}.
 */
public final class ClientPacing {

  private record Run(String who, long millis, long firstFiftyMillis, int refusals, int failures) {}

  private ClientPacing() {}

  public static void main(String[] args) throws Exception {
    URI uri = URI.create(args[0]);
    int n = Integer.parseInt(args[1]);
    int rounds = Integer.parseInt(args[2]);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<Run> tollgate = new ArrayList<>();
    List<Run> naive = new ArrayList<>();
    warm(http, uri);
    for (int round = 1; round <= rounds; round++) {
      for (int i = 0; i < 2; i++) {
        boolean ours = (round + i) % 2 == 0;
        Run r = ours ? tollgate(http, uri, n) : naive(http, uri, n);
        (ours ? tollgate : naive).add(r);
        double min = minimum(n, r.firstFiftyMillis);
        System.out.printf("round %d  %-8s %6d ms  (theoretical minimum %6.0f ms, ratio %.3f)  refusals %3d  failed %d%n",
            round, r.who, r.millis, min, r.millis / min, r.refusals, r.failures);
      }
    }
    summary(tollgate, n);
    summary(naive, n);
  }

  private static double minimum(int n, long firstFiftyMillis) {
    return (Math.ceil(n / 50.0) - 1) * 1000 + firstFiftyMillis;
  }

  private static void summary(List<Run> runs, int n) {
    List<Double> ratios = new ArrayList<>();
    List<Long> millis = new ArrayList<>();
    int refusals = 0;
    int failures = 0;
    for (Run r : runs) {
      ratios.add(r.millis / minimum(n, r.firstFiftyMillis));
      millis.add(r.millis);
      refusals += r.refusals;
      failures += r.failures;
    }
    Collections.sort(ratios);
    Collections.sort(millis);
    System.out.printf("median   %-8s %6d ms, %.3f of the theoretical minimum; refusals %d, failed %d (over %d runs)%n",
        runs.get(0).who, millis.get(millis.size() / 2), ratios.get(ratios.size() / 2), refusals, failures, runs.size());
  }

  /** Starts just past the next whole second: a fresh window of the gateway's. */
  private static void atWindowStart() throws InterruptedException {
    long now = System.currentTimeMillis();
    Thread.sleep(1000 - now % 1000 + 5);
  }

  private static void warm(HttpClient http, URI uri) throws Exception {
    for (int i = 0; i < 2_000; i++) { // the gateway's and this JVM's JIT, refusals included
      http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
    }
  }

  private static Run tollgate(HttpClient http, URI uri, int n) throws Exception {
    AtomicInteger refusals = new AtomicInteger();
    TollgateClient client = TollgateClient.builder().httpClient(http).listener(new Listener() {
      @Override
      public void refused(HttpRequest request, int status) {
        refusals.incrementAndGet();
      }
    }).build();
    atWindowStart();
    long start = System.nanoTime();
    long firstFifty = 0;
    int failures = 0;
    for (int i = 0; i < n; i++) {
      if (client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
        failures++;
      }
      if (i == 49) {
        firstFifty = (System.nanoTime() - start) / 1_000_000;
      }
    }
    return new Run("tollgate", (System.nanoTime() - start) / 1_000_000, firstFifty, refusals.get(), failures);
  }

  /** The seeds' fetchWithRetry, in Java. */
  private static Run naive(HttpClient http, URI uri, int n) throws Exception {
    atWindowStart();
    long start = System.nanoTime();
    long firstFifty = 0;
    int refusals = 0;
    int failures = 0;
    for (int i = 0; i < n; i++) {
      boolean done = false;
      for (int attempt = 0; attempt < 3 && !done; attempt++) {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 429) {
          refusals++;
          Thread.sleep(Long.parseLong(r.headers().firstValue("Retry-After").orElse("5")) * 1000);
          continue;
        }
        done = true;
      }
      if (!done) {
        failures++; // "Max retries exceeded"
      }
      if (i == 49) {
        firstFifty = (System.nanoTime() - start) / 1_000_000;
      }
    }
    return new Run("naive", (System.nanoTime() - start) / 1_000_000, firstFifty, refusals, failures);
  }

}
