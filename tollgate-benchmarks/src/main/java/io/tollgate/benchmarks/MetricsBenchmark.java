package io.tollgate.benchmarks;

import io.tollgate.core.Decision;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.store.MemoryStore;
import io.tollgate.server.metrics.Metrics;
import io.tollgate.server.metrics.TopKeys;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the admin port's metrics cost a request, in process: DecisionBenchmark's two-limit decision
 * with no listener ({@code plain}) and with the server's {@link Metrics} and {@link TopKeys} hooked
 * in as {@code serve} hooks them, plus the upstream response each proxied request reports
 * ({@code observed}), in the same run. The difference is what metrics add to every request; wrk
 * through the gateway cannot see a few hundred nanoseconds in tens of microseconds on this machine.
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -jar tollgate-benchmarks/target/benchmarks.jar MetricsBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class MetricsBenchmark {

  private RateLimiter plain;
  private RateLimiter observed;
  private Metrics metrics;
  private RequestInfo request;

  @Setup(Level.Trial)
  public void setUp() {
    Policy policy = TwoLimits.policy(true);
    plain = RateLimiter.builder(policy).store(MemoryStore.create(1_000_000)).build();
    MemoryStore store = MemoryStore.create(1_000_000);
    RateLimiter[] self = new RateLimiter[1];
    metrics = new Metrics(store, () -> self[0]);
    TopKeys top = new TopKeys(System::currentTimeMillis);
    observed = RateLimiter.builder(policy).store(store).listener(metrics).usageListener(top).build();
    self[0] = observed;
    request = TwoLimits.request();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    metrics.close();
  }

  @Benchmark
  public Decision plain() {
    return plain.decide(request);
  }

  @Benchmark
  public Decision observed() {
    Decision d = observed.decide(request);
    metrics.answered(d.route(), 200, false, 1_000_000); // what the gateway reports when the upstream answers
    return d;
  }
}
