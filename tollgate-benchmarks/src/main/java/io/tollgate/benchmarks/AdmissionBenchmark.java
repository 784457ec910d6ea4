package io.tollgate.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Admission;
import io.tollgate.core.Decision;
import io.tollgate.core.HttpAnswer;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestPath;
import io.tollgate.core.store.MemoryStore;
import io.tollgate.metrics.DecisionMetrics;
import java.net.InetSocketAddress;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What an embedded filter does per request, in process: the steps of {@code TollgateFilter} on the
 * Spring benchmark's policy (spring/bench.yaml: two never-refusing limits) with the starter's meters
 * ({@code door}), the same on two threads sharing one engine ({@code doorShared}: the same two
 * counters and meters from both cores, as a container's worker threads share them), the same without
 * meters ({@code doorNoMeters}), and the bare decision ({@code decideOnly}), in the same run. The
 * servlet container's share (writing the header fields) is not in it; spring/run.sh measures the
 * whole.
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -jar tollgate-benchmarks/target/benchmarks.jar AdmissionBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class AdmissionBenchmark {

  private static final String POLICY = """
      limits:
        - {name: per-ip, key: [client-ip], limit: 1000000000, window: 1s}
        - {name: per-path, key: [path], limit: 1000000000, window: 1s}
      """;

  private Admission metered;
  private Admission bare;
  private final Caller caller = new Caller();
  private final InetSocketAddress peer = InetSocketAddress.createUnresolved("127.0.0.1", 40000);

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    metered = meteredAdmission();
    bare = Admission.builder(RateLimiter.builder(policy()).store(MemoryStore.create(1_000_000)).build()).build();
  }

  private static Policy policy() throws Exception {
    return PolicyLoader.parse(POLICY, "bench.yaml", Map.of()).policy();
  }

  /** The starter's engine: a memory store and its meters on a registry of its own. */
  private static Admission meteredAdmission() throws Exception {
    MemoryStore store = MemoryStore.create(1_000_000);
    RateLimiter[] self = new RateLimiter[1];
    DecisionMetrics metrics = new DecisionMetrics(new SimpleMeterRegistry(), store, () -> self[0]);
    self[0] = RateLimiter.builder(policy()).store(store).listener(metrics).build();
    return Admission.builder(self[0]).build();
  }

  @Benchmark
  public void door(Blackhole out) {
    steps(metered, out);
  }

  /** {@code door} on two threads sharing one engine (its counters, meters and store), as a container's workers do. */
  @Benchmark
  @Threads(2)
  public void doorShared(Shared shared, Blackhole out) {
    steps(shared.metered, out);
  }

  /** One engine for every thread of a benchmark. */
  @State(Scope.Benchmark)
  public static class Shared {
    Admission metered;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      metered = meteredAdmission();
    }
  }

  @Benchmark
  public void doorNoMeters(Blackhole out) {
    steps(bare, out);
  }

  @Benchmark
  public Decision decideOnly() {
    caller.path = "/v1/report";
    caller.ip = "127.0.0.1";
    return bare.limiter().decide(caller);
  }

  private void steps(Admission a, Blackhole out) {
    RequestPath path = a.path("/v1/report");
    Caller info = new Caller();
    info.path = path.forMatching();
    info.ip = a.clientIp(peer, null);
    out.consume(a.unreadable(info));
    boolean statusView = a.isStatusView(info);
    Decision d = a.decide(info, statusView);
    HttpAnswer answer = a.answer(d, info, statusView);
    out.consume(answer);
    a.fields(d, (name, value) -> {
      out.consume(name);
      out.consume(value);
    });
    d.settle(200);
  }
}
