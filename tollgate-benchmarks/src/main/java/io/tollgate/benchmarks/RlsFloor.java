package io.tollgate.benchmarks;

import com.google.protobuf.Duration;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;

/**
 * The floor of the Envoy benchmark ({@code envoy/run.sh}): Armeria serving {@code ShouldRateLimit}
 * over gRPC and {@code POST /json} as Tollgate's envoy-rls does, with one constant answer and nothing
 * else: no rule lookup, no store, no JSON parsing. What it does per second on a machine is the most
 * any service on Armeria's HTTP and gRPC handling can do there; Tollgate's rows are read against it.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.tollgate.benchmarks.RlsFloor PORT}
 */
public final class RlsFloor {

  private static final RateLimitResponse OK = RateLimitResponse.newBuilder().setOverallCode(Code.OK)
      .addStatuses(DescriptorStatus.newBuilder().setCode(Code.OK)
          .setCurrentLimit(RateLimit.newBuilder().setRequestsPerUnit(1_000_000_000).setUnit(RateLimit.Unit.HOUR))
          .setLimitRemaining(999_999_999).setDurationUntilReset(Duration.newBuilder().setSeconds(1800)))
      .build();

  /** What Tollgate's /json writes for {@link #OK}. */
  private static final byte[] OK_JSON = ("{\"overallCode\":\"OK\",\"statuses\":[{\"code\":\"OK\",\"currentLimit\":"
      + "{\"requestsPerUnit\":1000000000,\"unit\":\"HOUR\"},\"limitRemaining\":999999999,\"durationUntilReset\":\"1800s\"}]}")
      .getBytes(StandardCharsets.UTF_8);

  private RlsFloor() {}

  public static void main(String[] args) {
    Server.builder().http(Integer.parseInt(args[0]))
        .service("/json", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(body ->
            HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, HttpData.wrap(OK_JSON)))))
        .service(GrpcService.builder().addService(new RateLimitServiceGrpc.RateLimitServiceImplBase() {
          @Override
          public void shouldRateLimit(RateLimitRequest request, StreamObserver<RateLimitResponse> out) {
            out.onNext(OK);
            out.onCompleted();
          }
        }).build())
        .build().start().join();
  }
}
