package io.tollgate.benchmarks;

import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.MemoryStore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory store's bound under a flood of distinct keys: {@code max-keys} 1,000,000 and 10^7 keys
 * (each new, as a scan from many addresses would send) from two threads as fast as they go. Prints,
 * every 10^6 keys, the store's size and the live heap after a GC, then bytes per counter and the
 * rate. Run it with a small heap: the store must stay within it (no OutOfMemoryError).
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -Xmx512m -cp tollgate-benchmarks/target/benchmarks.jar io.tollgate.benchmarks.MemoryBound 10000000 1000000
 * </pre>
 */
public final class MemoryBound {

  private MemoryBound() {}

  public static void main(String[] args) throws Exception {
    long keys = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    long maxKeys = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    MemoryStore store = MemoryStore.create(maxKeys);
    RateLimiter limiter = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("per-ip").key("client-ip").limit(100).window("1h").build()).build()).store(store).build();
    long empty = CounterMemory.heapAfterGc();
    AtomicLong next = new AtomicLong();
    long checkpoint = 1_000_000L;
    long start = System.nanoTime();
    long busyNanos = 0;
    System.out.printf("max-keys %,d, %,d distinct keys, heap max %,d MB%n", maxKeys, keys,
        Runtime.getRuntime().maxMemory() >> 20);
    for (long done = 0; done < keys; done += checkpoint) {
      long until = Math.min(keys, done + checkpoint);
      long t0 = System.nanoTime();
      Thread[] threads = new Thread[2];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = new Thread(() -> {
          for (long i; (i = next.getAndIncrement()) < until; ) {
            limiter.tryAcquire("per-ip", "10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF) + "/" + (i >>> 24), 1);
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
    limiter.close();
  }
}
