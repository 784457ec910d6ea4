package io.tollgate.benchmarks;

import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.MemoryStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Heap per live counter in the memory store: heap after GC with N counters, minus heap after GC
 * with none, divided by N. Keys are IPv4 addresses as client IPs are.
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -Xmx2g -cp tollgate-benchmarks/target/benchmarks.jar io.tollgate.benchmarks.CounterMemory 1000000
 * </pre>
 */
public final class CounterMemory {

  private CounterMemory() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    MemoryStore store = MemoryStore.create(n + 1L);
    RateLimiter limiter = RateLimiter.builder(Policy.builder()
        .limit(Limit.builder("per-ip").key("client-ip").limit(100).window("1h").build()).build()).store(store).build();
    String[] ips = new String[n];
    for (int i = 0; i < n; i++) {
      ips[i] = "10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF);
    }
    long before = heapAfterGc();
    for (int i = 0; i < n; i++) {
      limiter.tryAcquire("per-ip", ips[i], 1);
    }
    long after = heapAfterGc();
    if (store.size() != n) {
      throw new IllegalStateException("expected " + n + " counters, found " + store.size());
    }
    System.out.printf("counters %d, heap %.1f MB, %.1f bytes per counter%n", n, (after - before) / 1e6,
        (after - before) / (double) n);
    System.out.println("(the key strings themselves are the caller's and are not counted: the store copies each key's bytes)");
    limiter.close();
  }

  /** Heap in use after a GC: the least of a few tries (a GC may leave a little). */
  static long heapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
