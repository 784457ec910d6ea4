package io.tollgate.envoy;

import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit} over gRPC, and the same
 * decision for {@code POST /json}: a request Envoy should not have sent is INVALID_ARGUMENT, a store
 * that cannot answer (and is set to fail rather than allow or deny) UNAVAILABLE.
 */
final class RlsGrpcService extends RateLimitServiceGrpc.RateLimitServiceImplBase {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private final Supplier<RlsDecider> decider;

  RlsGrpcService(Supplier<RlsDecider> decider) {
    this.decider = decider;
  }

  @Override
  public void shouldRateLimit(RateLimitRequest request, StreamObserver<RateLimitResponse> out) {
    decide(request).whenComplete((response, failure) -> {
      if (failure == null) {
        out.onNext(response);
        out.onCompleted();
      } else {
        out.onError(status(failure).asRuntimeException());
      }
    });
  }

  /** The decision, or a future failed with what went wrong ({@link #status} says how to answer it). */
  CompletableFuture<RateLimitResponse> decide(RateLimitRequest request) {
    try {
      return decider.get().decide(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The gRPC status of a failed decision. */
  static Status status(Throwable failure) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (e instanceof RlsDecider.InvalidRequest) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    log.warn("a rate limit decision failed: {}", e.toString());
    return Status.UNAVAILABLE.withDescription("the decision could not be made: " + e.getMessage());
  }
}
