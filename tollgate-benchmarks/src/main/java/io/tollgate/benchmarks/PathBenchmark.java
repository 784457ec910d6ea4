package io.tollgate.benchmarks;

import io.tollgate.core.Decision;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestPath;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What normalising the path costs a decision: DecisionBenchmark's two-limit request decided as
 * given ({@code asGiven}, the gateway before paths were normalised) and normalised first
 * ({@code normalised}: {@link RequestPath#of}, both forms of the path, as the gateway reads every
 * request's), in the same run. {@code path} is a path already normal (what
 * nearly every client sends: the check that finds nothing to do) or one spelt with a dot segment,
 * a doubled slash and escapes (the rebuilding path). {@code normaliseOnly} is the normalisation by
 * itself: two decisions measured in separate forks differ by more than it on a noisy machine.
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -jar tollgate-benchmarks/target/benchmarks.jar PathBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class PathBenchmark {

  @Param({"/tnseb/v2/contact/42/notes", "/tnseb/./v2//contact/%34%32/notes"})
  public String path;

  private RateLimiter limiter;
  private Caller request;

  @Setup
  public void setUp() {
    limiter = RateLimiter.builder(TwoLimits.policy(true)).build();
    request = new Caller();
  }

  @Benchmark
  public Decision asGiven() {
    request.path = path;
    return limiter.decide(request);
  }

  /** The normalisation alone: what {@code normalised} adds to {@code asGiven}, without the noise of two decisions. */
  @Benchmark
  public String normaliseOnly() {
    return RequestPath.of(path, RequestPath.EncodedSlash.REJECT).forMatching();
  }

  @Benchmark
  public Decision normalised() {
    request.path = RequestPath.of(path, RequestPath.EncodedSlash.REJECT).forMatching();
    return limiter.decide(request);
  }
}
