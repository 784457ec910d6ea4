package io.tollgate.benchmarks;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.tollgate.core.Decision;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decision on a built limiter with the memory store, single-threaded, next to the peers on an
 * equivalent single limit. Limits are large enough never to refuse, so every call takes the full path.
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -jar tollgate-benchmarks/target/benchmarks.jar DecisionBenchmark -prof gc
 * </pre>
 *
 * <ul>
 *   <li>{@code tollgateTwoLimits}: an HTTP request matching two limits (per route and client IP, and
 *       per client IP): route match, two keys, one all-or-nothing take of both counters.
 *   <li>{@code tollgateOneLimit}: {@code tryAcquire(limit, key, 1)}, the keyed API, one counter.
 *   <li>{@code bucket4jLocal}: Bucket4j's lock-free local bucket, {@code tryConsume(1)}.
 *   <li>{@code resilience4jAtomic}: Resilience4j's {@code AtomicRateLimiter.acquirePermission()}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class DecisionBenchmark {

  private static final long NEVER = TwoLimits.NEVER;

  private RateLimiter tollgate;
  private RateLimiter tollgateSingle;
  private RequestInfo request;
  private Bucket bucket;
  private AtomicRateLimiter resilience4j;

  @Setup
  public void setUp() {
    tollgate = RateLimiter.builder(TwoLimits.policy(true)).build();
    tollgateSingle = RateLimiter.builder(TwoLimits.policy(false)).build();
    request = TwoLimits.request();
    bucket = Bucket.builder().addLimit(Bandwidth.builder().capacity(NEVER).refillGreedy(NEVER, Duration.ofDays(1)).build())
        .build();
    resilience4j = new AtomicRateLimiter("r4j", RateLimiterConfig.custom().limitForPeriod(Integer.MAX_VALUE)
        .limitRefreshPeriod(Duration.ofNanos(1_000)).timeoutDuration(Duration.ZERO).build());
  }

  @Benchmark
  public Decision tollgateTwoLimits() {
    return tollgate.decide(request);
  }

  @Benchmark
  public Decision tollgateDecideOneLimit() {
    return tollgateSingle.decide(request);
  }

  @Benchmark
  public Decision tollgateOneLimit() {
    return tollgate.tryAcquire("per-ip", "203.0.113.7", 1);
  }

  @Benchmark
  public boolean bucket4jLocal() {
    return bucket.tryConsume(1);
  }

  @Benchmark
  public boolean resilience4jAtomic() {
    return resilience4j.acquirePermission();
  }
}
