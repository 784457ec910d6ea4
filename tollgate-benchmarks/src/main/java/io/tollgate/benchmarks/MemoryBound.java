package io.tollgate.benchmarks;

import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestPath;
import io.tollgate.core.store.MemoryStore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory store's bound under a flood of distinct keys: {@code max-keys} 1,000,000 and 10^7 keys
 * (each new, as a scan from many addresses would send) from two threads as fast as they go. Prints,
 * every 10^6 keys, the store's size and the live heap after a GC, then bytes per counter and the
 * rate. Run it with a small heap: the store must stay within it (no OutOfMemoryError).
 *
 * <p>Each request is decided as the gateway decides it (a path and a caller's address, a per-address
 * limit on {@code /v1/**}). Chunks of 4,096 keys alternate between the path as given (the gateway
 * before paths were normalised) and the path read by {@link RequestPath#of} first (today's), so the
 * two rates come from one run under the same flood; the last line is their ratio (the first batch of
 * 10^6, JIT warm-up and the store filling, left out).
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -Xmx512m -cp tollgate-benchmarks/target/benchmarks.jar io.tollgate.benchmarks.MemoryBound 10000000 1000000
 * </pre>
 */
public final class MemoryBound {

  private MemoryBound() {}

  /** Keys a thread takes at a time; the chunks alternate between the two ways of reading the path. */
  private static final int CHUNK = 4096;

  /** Paths a client sends, already normal (what nearly every client sends) as the gateway reads them. */
  private static final String[] PATHS = {"/v1/items/42", "/v1/items/42/notes", "/v1/users/7", "/v1/orders",
      "/v1/orders/2026/12", "/v1/search", "/v1/items/42/notes/3", "/v1/reports/daily"};

  public static void main(String[] args) throws Exception {
    long keys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    long maxKeys = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    MemoryStore store = MemoryStore.create(maxKeys);
    RateLimiter limiter = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("per-ip").paths("/v1/**").key("client-ip").limit(100).window("1h").build()).build())
        .store(store).build();
    long empty = CounterMemory.heapAfterGc();
    AtomicLong next = new AtomicLong();
    long checkpoint = 1_000_000L;
    long start = System.nanoTime();
    long busyNanos = 0;
    java.util.concurrent.atomic.LongAdder[] modeNanos = {new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder()}; // 0: the path as given, 1: normalised; thread time
    java.util.concurrent.atomic.LongAdder[] modeKeys = {new java.util.concurrent.atomic.LongAdder(),
        new java.util.concurrent.atomic.LongAdder()};
    System.out.printf("max-keys %,d, %,d distinct keys, heap max %,d MB%n", maxKeys, keys,
        Runtime.getRuntime().maxMemory() >> 20);
    for (long done = 0; done < keys; done += checkpoint) {
      long until = Math.min(keys, done + checkpoint);
      boolean counted = done > 0; // the first batch warms the JIT up and fills the store: neither mode's
      long t0 = System.nanoTime();
      Thread[] threads = new Thread[2];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          Caller caller = new Caller();
          for (long from; (from = next.getAndAdd(CHUNK)) < until; ) {
            int mode = (int) (from / CHUNK % 2); // chunks alternate: both modes meet the same flood
            long to = Math.min(until, from + CHUNK);
            long c0 = System.nanoTime();
            for (long i = from; i < to; i++) {
              String raw = PATHS[(int) (i & 7)];
              caller.path = mode == 0 ? raw : RequestPath.of(raw, RequestPath.EncodedSlash.REJECT).forMatching();
              caller.ip = "10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF) + "/" + (i >>> 24);
              limiter.decide(caller);
            }
            if (counted) {
              modeNanos[mode].add(System.nanoTime() - c0);
              modeKeys[mode].add(to - from);
            }
          }
        });
        threads[t].start();
      }
      for (Thread t : threads) {
        t.join();
      }
      next.set(until);
      busyNanos += System.nanoTime() - t0;
      long heap = CounterMemory.heapAfterGc() - empty;
      System.out.printf("keys %,12d  counters %,10d  live heap %7.1f MB  %6.1f bytes per counter%n", until,
          store.size(), heap / 1e6, heap / (double) Math.max(1, store.size()));
    }
    System.out.printf("%,.0f decisions per second (new keys, 2 threads, GC checks excluded); %.1f s in all%n",
        keys / (busyNanos / 1e9), (System.nanoTime() - start) / 1e9);
    double given = modeKeys[0].sum() / (modeNanos[0].sum() / 1e9);
    double normalised = modeKeys[1].sum() / (modeNanos[1].sum() / 1e9);
    System.out.printf("after the first batch, per thread: path as given %,.0f decisions/s, normalised %,.0f/s: %.3fx%n",
        given, normalised, normalised / given);
    limiter.close();
  }
}
