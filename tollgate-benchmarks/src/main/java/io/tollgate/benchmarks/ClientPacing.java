package io.tollgate.benchmarks;

import io.tollgate.client.Listener;
import io.tollgate.client.TollgateClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wall time and refusals to get N requests through a rate-limited server with C callers at once
 * (each sends its next request when its last is answered), contenders side by side in one run,
 * alternating, ROUNDS rounds, then medians.
 *
 * <p>{@code gateway URI N ROUNDS C}: a Tollgate gateway enforcing 50 per second (fixed window, IETF
 * RateLimit fields only): the Tollgate client as it comes, the client with {@code probeFirst(false)},
 * and the seeds' {@code fetchWithRetry} (seed 004: on a 429, wait Retry-After seconds, default 5,
 * at most 3 attempts). Each run starts just past a whole second (a fresh window). The theoretical
 * minimum is (windows - 1) whole seconds plus the time 50 requests take unthrottled (the fastest
 * first 50 of the round).
 *
 * <p>{@code nginx URI N ROUNDS C}: nginx's {@code limit_req} (no header, 503): the client as it
 * comes and with {@code adaptive(true)}. The minimum is the time nginx lets N through: the burst at
 * once, then one per 1/rate.
 *
 * <p>Run with {@code tollgate-benchmarks/client/run.sh}, which starts both servers.
 */
public final class ClientPacing {

  private record Run(String who, long millis, long firstFiftyMillis, int refusals, int failures) {}

  private interface Contender {
    Run run(int n, int callers) throws Exception;
  }

  private ClientPacing() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    URI uri = URI.create(args[1]);
    int n = Integer.parseInt(args[2]);
    int rounds = Integer.parseInt(args[3]);
    int callers = Integer.parseInt(args[4]);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Map<String, Contender> contenders = new LinkedHashMap<>();
    double perRequestMillis = 0;
    int burst = 0;
    if (mode.equals("gateway")) {
      contenders.put("tollgate", (k, c) -> tollgate("tollgate", TollgateClient.builder(), http, uri, k, c, true));
      contenders.put("no-probe", (k, c) -> tollgate("no-probe", TollgateClient.builder().probeFirst(false), http, uri,
          k, c, true));
      contenders.put("naive", (k, c) -> naive(http, uri, k, c));
      warm(http, uri);
    } else {
      perRequestMillis = 1000.0 / Double.parseDouble(args[5]);
      burst = Integer.parseInt(args[6]);
      contenders.put("plain", (k, c) -> tollgate("plain", TollgateClient.builder(), http, uri, k, c, false));
      contenders.put("adaptive", (k, c) -> tollgate("adaptive", TollgateClient.builder().adaptive(true), http, uri,
          k, c, false));
    }
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    Map<String, List<Double>> ratios = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      List<String> order = new ArrayList<>(contenders.keySet());
      Collections.rotate(order, round);
      List<Run> thisRound = new ArrayList<>();
      for (String who : order) {
        if (!mode.equals("gateway")) {
          Thread.sleep(3_000); // nginx's bucket drains between runs
        }
        thisRound.add(contenders.get(who).run(n, callers));
      }
      long fastestFifty = thisRound.stream().mapToLong(Run::firstFiftyMillis).min().orElse(0);
      for (Run r : thisRound) {
        double min = mode.equals("gateway") ? (Math.ceil(n / 50.0) - 1) * 1000 + fastestFifty
            : (n - burst - 1) * perRequestMillis;
        runs.computeIfAbsent(r.who, k -> new ArrayList<>()).add(r);
        ratios.computeIfAbsent(r.who, k -> new ArrayList<>()).add(r.millis / min);
        System.out.printf("round %d  %-9s %6d ms  (minimum %6.0f ms, ratio %.3f)  refusals %4d  failed %d%n",
            round, r.who, r.millis, min, r.millis / min, r.refusals, r.failures);
      }
    }
    for (String who : contenders.keySet()) {
      List<Long> millis = new ArrayList<>(runs.get(who).stream().map(Run::millis).toList());
      List<Integer> refusals = new ArrayList<>(runs.get(who).stream().map(Run::refusals).toList());
      List<Double> r = new ArrayList<>(ratios.get(who));
      Collections.sort(millis);
      Collections.sort(refusals);
      Collections.sort(r);
      System.out.printf("median   %-9s %6d ms, %.3f of the minimum; refusals %d (median of %d runs), failed %d%n",
          who, millis.get(millis.size() / 2), r.get(r.size() / 2), refusals.get(refusals.size() / 2), millis.size(),
          runs.get(who).stream().mapToInt(Run::failures).sum());
    }
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

  /** {@code callers} threads taking request numbers from one counter until {@code n} are done. */
  private static Run callers(String who, int n, int callers, Caller each, AtomicInteger refusals, boolean align)
      throws Exception {
    if (align) {
      atWindowStart();
    }
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    AtomicLong firstFifty = new AtomicLong();
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      Thread t = new Thread(() -> {
        try {
          while (next.getAndIncrement() < n) {
            if (!each.send()) {
              failures.incrementAndGet();
            }
            if (done.incrementAndGet() == 50) {
              firstFifty.set((System.nanoTime() - start) / 1_000_000);
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    return new Run(who, (System.nanoTime() - start) / 1_000_000, firstFifty.get(), refusals.get(), failures.get());
  }

  /** One request, however many attempts: whether it got through. */
  private interface Caller {
    boolean send() throws Exception;
  }

  private static Run tollgate(String who, TollgateClient.Builder builder, HttpClient http, URI uri, int n, int callers,
      boolean align) throws Exception {
    AtomicInteger refusals = new AtomicInteger();
    TollgateClient client = builder.httpClient(http).maxAttempts(10).listener(new Listener() {
      @Override
      public void refused(HttpRequest request, int status) {
        refusals.incrementAndGet();
      }
    }).build();
    return callers(who, n, callers, () -> client.send(HttpRequest.newBuilder(uri).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode() == 200, refusals, align);
  }

  /** The seeds' fetchWithRetry, in Java, on each caller. */
  private static Run naive(HttpClient http, URI uri, int n, int callers) throws Exception {
    AtomicInteger refusals = new AtomicInteger();
    return callers("naive", n, callers, () -> {
      for (int attempt = 0; attempt < 3; attempt++) {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() != 429) {
          return true;
        }
        refusals.incrementAndGet();
        Thread.sleep(Long.parseLong(r.headers().firstValue("Retry-After").orElse("5")) * 1000);
      }
      return false; // "Max retries exceeded"
    }, refusals, true);
  }
}
