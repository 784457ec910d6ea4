package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.tollgate.config.Settings;
import io.tollgate.config.StoreSettings;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The HTTP check endpoint's server: its own port (plain HTTP/1.1 and h2c), every method and path a
 * {@link CheckService}, with the gateway's guards on how requests arrive (header timeout, the HTTP/1
 * head check, idle timeout, connection bound). Like the gateway, it does not own the limiter;
 * {@link #update} swaps in the next policy's between requests.
 */
public final class CheckServer implements AutoCloseable {

  private final Server server;
  private final Clock clock;
  private final boolean sharedStore;
  private final String host;
  private volatile CheckService service;

  private CheckServer(Server server, Clock clock, boolean sharedStore, String host, CheckService service) {
    this.server = server;
    this.clock = clock;
    this.sharedStore = sharedStore;
    this.host = host;
    this.service = service;
  }

  /**
   * Starts the check endpoint {@code settings.check()} describes, deciding with {@code limiter}.
   *
   * @throws GatewayServer.GatewayStartException when its port cannot be opened
   */
  public static CheckServer start(Settings settings, RateLimiter limiter, Clock clock) {
    Settings.Check check = settings.check();
    boolean sharedStore = settings.store() instanceof StoreSettings.Redis;
    CheckServer[] self = new CheckServer[1];
    Settings.Listen listen = check.listen();
    ServerBuilder sb = Server.builder().http(listen.host() == null ? new InetSocketAddress(listen.port())
        : new InetSocketAddress(listen.host(), listen.port()));
    sb.serviceUnder("/", (ServiceRequestContext ctx, HttpRequest req) -> self[0].service.serve(ctx, req));
    Settings.Http http = settings.http();
    sb.maxRequestLength(64 * 1024); // a check carries no body worth reading (nginx sends none)
    sb.idleTimeout(http.idleTimeout());
    sb.maxNumConnections(http.maxConnections());
    sb.requestTimeout(Duration.ofSeconds(30));
    sb.childChannelPipelineCustomizer(pipeline -> {
      HeaderTimeout.install(pipeline, http.requestHeaderTimeout());
      Http1Guard.install(pipeline);
    });
    sb.gracefulShutdownTimeout(Duration.ofMillis(200), Duration.ofSeconds(10));
    sb.meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    try {
      Server server = sb.build();
      self[0] = new CheckServer(server, clock, sharedStore, listen.host() == null ? "0.0.0.0" : listen.host(),
          service(settings, limiter, clock, sharedStore));
      server.start().join();
    } catch (RuntimeException e) {
      throw GatewayServer.GatewayStartException.of(e, listen);
    }
    return self[0];
  }

  private static CheckService service(Settings settings, RateLimiter limiter, Clock clock, boolean sharedStore) {
    return new CheckService(Deciding.of(settings, limiter, clock, sharedStore), settings.check().denyStatus());
  }

  /** From the next check on, decides with {@code limiter} as {@code settings} say (deny status, trusted proxies, paths). */
  public void update(Settings settings, RateLimiter limiter) {
    service = service(settings, limiter, clock, sharedStore);
  }

  /** The port it listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  /** Where it listens: {@code http://0.0.0.0:8082}. */
  public String address() {
    return "http://" + host + ":" + port();
  }

  /** Stops taking checks, waits for those in flight (up to 10 s), then closes. */
  @Override
  public void close() {
    server.stop().join();
  }
}
