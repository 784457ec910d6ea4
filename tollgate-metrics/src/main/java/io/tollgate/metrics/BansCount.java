package io.tollgate.metrics;

import io.tollgate.core.RateLimiter;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tollgate_bans_active} on a Redis store, where counting the bans is a SCAN of the keyspace:
 * a scrape reads the last count and, when it is older than a second, asks for a new one on a thread
 * of its own, so no scrape waits on Redis and Redis is scanned at most once a second (once per
 * scrape at the usual intervals). NaN until the first count is in; a count that fails (Redis away)
 * keeps the last one. Thread-safe.
 */
final class BansCount implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BansCount.class);
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The most bans counted: beyond, the gauge says this many. */
  static final int MAX = 1_000_000;

  private final Supplier<RateLimiter> limiter;
  private final ExecutorService counter = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tollgate-bans-count");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean counting = new AtomicBoolean();
  private volatile double value = Double.NaN;
  private volatile long countedAt = System.nanoTime() - 2 * REFRESH_NANOS;

  BansCount(Supplier<RateLimiter> limiter) {
    this.limiter = limiter;
  }

  /** The last count; starts a new one when it is older than a second. */
  double value() {
    if (System.nanoTime() - countedAt > REFRESH_NANOS && counting.compareAndSet(false, true)) {
      counter.execute(this::count);
    }
    return value;
  }

  private void count() {
    try {
      RateLimiter l = limiter.get();
      if (l != null) {
        value = l.bans(MAX).size();
        countedAt = System.nanoTime();
      }
    } catch (RuntimeException e) {
      log.debug("could not count the bans: {}", e.getMessage());
    } finally {
      counting.set(false);
    }
  }

  @Override
  public void close() {
    counter.shutdownNow();
  }
}
