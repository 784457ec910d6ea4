package io.tollgate.envoy;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcHealthCheckService;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.healthcheck.SettableHealthChecker;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.grpc.Status;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.tollgate.config.Settings;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import io.tollgate.gateway.GatewayServer;
import io.tollgate.gateway.Tls;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Envoy's Rate Limit Service on its own port: {@code ShouldRateLimit} over gRPC (h2c, or TLS when the
 * file has {@code tls:}), {@code grpc.health.v1.Health} (SERVING for {@code ""} and
 * {@code ratelimit}), and on the same port (and {@code http-listen}, when set) {@code POST /json}
 * and {@code GET /healthcheck} as envoyproxy/ratelimit answers them. It does not own the limiter;
 * {@link #update} swaps in the next configuration's between requests.
 */
public final class RlsServer implements AutoCloseable {

  /** proto3 JSON as envoyproxy/ratelimit reads and writes it: camelCase, enums by name, no defaults, strict. */
  private static final org.curioswitch.common.protobuf.json.MessageMarshaller JSON =
      org.curioswitch.common.protobuf.json.MessageMarshaller.builder().register(RateLimitRequest.getDefaultInstance())
          .register(RateLimitResponse.getDefaultInstance()).omittingInsignificantWhitespace(true).build();

  private final Server server;
  private final Server http; // null: no http-listen
  private final Clock clock;
  private final Tls tls; // null: h2c
  private final String host;
  private final SettableHealthChecker health;
  private volatile RlsDecider decider;

  private RlsServer(Server server, Server http, Clock clock, Tls tls, String host, SettableHealthChecker health,
      RlsDecider decider) {
    this.server = server;
    this.http = http;
    this.clock = clock;
    this.tls = tls;
    this.host = host;
    this.health = health;
    this.decider = decider;
  }

  /**
   * Starts the service {@code settings.envoyRls()} describes, deciding {@code limits} with
   * {@code limiter} (built from {@link RlsLimits#policy()} over the process's store).
   *
   * @throws GatewayServer.GatewayStartException when a port cannot be opened or the TLS files read
   */
  public static RlsServer start(Settings settings, RlsLimits limits, RateLimiter limiter, Clock clock) {
    Settings.EnvoyRls rls = settings.envoyRls();
    RlsServer[] self = new RlsServer[1];
    RlsGrpcService grpc = new RlsGrpcService(() -> self[0].decider);
    SettableHealthChecker health = new SettableHealthChecker(true);
    Server main = null;
    try {
      Tls tls = settings.tls() == null ? null : new Tls(settings.tls());
      ServerBuilder sb = builder(settings, grpc, health);
      if (tls == null) {
        sb.http(address(rls.listen()));
      } else {
        sb.https(address(rls.listen())).tlsProvider(tls);
      }
      sb.service(GrpcService.builder().addService(grpc)
          .addService(GrpcHealthCheckService.builder().checkers(health).serviceCheckers("ratelimit", health).build())
          .build());
      main = sb.build();
      main.start().join();
      Server http = null;
      if (rls.httpListen() != null) {
        try {
          http = builder(settings, grpc, health).http(address(rls.httpListen())).build();
          http.start().join();
        } catch (RuntimeException e) {
          throw GatewayServer.GatewayStartException.of(e, rls.httpListen());
        }
      }
      self[0] = new RlsServer(main, http, clock, tls, rls.listen().host() == null ? "0.0.0.0" : rls.listen().host(),
          health, new RlsDecider(limits, limiter, clock));
      return self[0];
    } catch (RuntimeException e) {
      if (main != null) {
        main.stop().join();
      }
      throw e instanceof GatewayServer.GatewayStartException g ? g : GatewayServer.GatewayStartException.of(e, rls.listen());
    }
  }

  /** A server with {@code POST /json} and {@code GET /healthcheck}, and the process's bounds on connections. */
  private static ServerBuilder builder(Settings settings, RlsGrpcService grpc, SettableHealthChecker health) {
    ServerBuilder sb = Server.builder();
    sb.service("/json", (ctx, req) -> HttpResponse.of(req.aggregate().thenCompose(body -> json(grpc, body.content().array()))));
    sb.service("/healthcheck", (ctx, req) -> health.isHealthy()
        ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "OK")
        : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, "draining"));
    Settings.Http http = settings.http();
    sb.maxRequestLength(1024 * 1024);
    sb.idleTimeout(http.idleTimeout());
    sb.maxNumConnections(http.maxConnections());
    sb.requestTimeout(Duration.ofSeconds(30));
    sb.gracefulShutdownTimeout(Duration.ofMillis(200), Duration.ofSeconds(10));
    // at a stop, Envoy is told (GOAWAY) to open no more streams; the connection closes this much later
    sb.connectionDrainDuration(Duration.ofMillis(500));
    sb.meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    // A decision on Redis completes on the store's thread, and its answer is written from a task on
    // the connection's event loop, flushed on its own: Envoy's one HTTP/2 connection then costs a
    // write system call per answer. Consolidated, the answers of a batch go out in one (gRPC door,
    // Redis store: 1.03-1.31x the decisions/s, docs/benchmarks.md).
    sb.childChannelPipelineCustomizer(p -> p.addFirst(new FlushConsolidationHandler(256, true)));
    return sb;
  }

  private static InetSocketAddress address(Settings.Listen l) {
    return l.host() == null ? new InetSocketAddress(l.port()) : new InetSocketAddress(l.host(), l.port());
  }

  /** {@code POST /json}: the request in proto3 JSON; 200 (OK) or 429 (OVER_LIMIT), 400 for a bad request. */
  private static java.util.concurrent.CompletableFuture<HttpResponse> json(RlsGrpcService grpc, byte[] body) {
    RateLimitRequest.Builder request = RateLimitRequest.newBuilder();
    try {
      JSON.mergeValue(body, request);
    } catch (java.io.IOException | RuntimeException e) {
      return java.util.concurrent.CompletableFuture.completedFuture(
          HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.PLAIN_TEXT_UTF_8, "invalid request: " + e.getMessage()));
    }
    return grpc.decide(request.build()).handle((response, failure) -> {
      if (failure != null) {
        Status s = RlsGrpcService.status(failure);
        return HttpResponse.of(s.getCode() == Status.Code.INVALID_ARGUMENT ? HttpStatus.BAD_REQUEST
            : HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT_UTF_8, String.valueOf(s.getDescription()));
      }
      try {
        return HttpResponse.of(response.getOverallCode() == RateLimitResponse.Code.OVER_LIMIT
            ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.OK, MediaType.JSON_UTF_8,
            com.linecorp.armeria.common.HttpData.wrap(JSON.writeValueAsBytes(response)));
      } catch (java.io.IOException e) {
        return HttpResponse.of(HttpStatus.INTERNAL_SERVER_ERROR, MediaType.PLAIN_TEXT_UTF_8, e.getMessage());
      }
    });
  }

  /** From the next request on, decides {@code limits} with {@code limiter}. */
  public void update(RlsLimits limits, RateLimiter limiter) {
    decider = new RlsDecider(limits, limiter, clock);
  }

  /**
   * Reads the certificate and key again: new connections get them (a rotated certificate).
   *
   * @return whether they changed; false without TLS
   * @throws GatewayServer.GatewayStartException when the files cannot be used; the pair in use stays
   */
  public synchronized boolean reloadTls(Settings.Tls files) {
    return tls != null && tls.reload(files);
  }

  /** The gRPC port. */
  public int port() {
    return server.activeLocalPort();
  }

  /** The {@code http-listen} port, or -1 without one. */
  public int httpPort() {
    return http == null ? -1 : http.activeLocalPort();
  }

  /** Where it is served: {@code http://0.0.0.0:8081}, and the {@code http-listen} port. */
  public String address() {
    return (tls == null ? "http" : "https") + "://" + host + ":" + port()
        + (http == null ? "" : " (/json also on port " + httpPort() + ")");
  }

  /** Says NOT_SERVING and draining on the health checks, waits for requests in flight (up to 10 s), closes. */
  @Override
  public void close() {
    health.setHealthy(false);
    // together: each stop waits out its event loop's quiet period (~2 s in this Netty)
    java.util.concurrent.CompletableFuture.allOf(server.stop(),
        http == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : http.stop()).join();
  }
}
