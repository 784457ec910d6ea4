package io.tollgate.gateway;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.tollgate.config.Settings;
import io.tollgate.config.StoreSettings;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * The gateway: one Armeria server, a front door that enforces a limiter's policy in front of an
 * upstream. A request's path is assembled here, in one place: {@link RateLimitService} (caller,
 * status endpoint, decision, refusal, headers, settlement) in front of the upstream,
 * {@link ProxyService} or the built-in {@link EchoService}. The gateway does not own the limiter:
 * whoever made it closes it, after the gateway.
 */
public final class GatewayServer implements AutoCloseable {

  /** How long a stopping gateway waits for requests in flight, at most. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  /** A stopping gateway stops once no request has been in flight for this long (0 would stop at once). */
  private static final Duration QUIET = Duration.ofMillis(200);

  private final Server server;
  private final EventLoopGroup loops;
  private final ClientFactory clients;
  private final String scheme;
  private final String host;

  private GatewayServer(Server server, EventLoopGroup loops, ClientFactory clients, String scheme, String host) {
    this.server = server;
    this.loops = loops;
    this.clients = clients;
    this.scheme = scheme;
    this.host = host;
  }

  /**
   * Starts a gateway that decides with {@code limiter} and listens, proxies and speaks TLS as
   * {@code settings} say.
   *
   * @param clock what the rate-limit headers' times are read from (the limiter's)
   * @throws IllegalArgumentException when {@code settings} name no upstream
   * @throws GatewayStartException when the listener cannot be opened (the port is in use, the
   *     certificate cannot be read), with a message that says which
   */
  public static GatewayServer start(Settings settings, RateLimiter limiter, Clock clock) {
    if (settings.upstream() == null) {
      throw new IllegalArgumentException("the gateway needs an upstream (a base URL, or 'echo')");
    }
    boolean sharedStore = settings.store() instanceof StoreSettings.Redis;
    // Own event loops and client factory: Armeria's shared ones close in their own JVM shutdown hooks,
    // which would cut off the requests a SIGTERM drain is waiting for.
    EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
    ClientFactory clients = ClientFactory.builder().workerGroup(loops, false)
        .eventLoopSchedulerFactory(group -> new SameLoopScheduler(loops)).build();
    Settings.Upstream up = settings.upstream();
    HttpService upstream = up.isEcho() ? new EchoService() : new ProxyService(up.url(), up.timeout(), clients);
    StatusEndpoint status = limiter.policy().statusEndpoint() == null ? null
        : new StatusEndpoint(limiter.policy().statusEndpoint(), limiter);
    ServerBuilder sb = Server.builder().workerGroup(loops, false);
    Settings.Listen listen = settings.listen();
    InetSocketAddress address = listen.host() == null ? new InetSocketAddress(listen.port())
        : new InetSocketAddress(listen.host(), listen.port());
    if (settings.tls() == null) {
      sb.http(address);
    } else {
      sb.https(address); // ALPN offers h2 and http/1.1
      Tls.configure(sb, settings.tls());
    }
    sb.serviceUnder("/", upstream.decorate(next -> new RateLimitService(next, limiter,
        new ClientAddress(settings.trustedProxies()), status, clock, sharedStore)));
    sb.requestTimeout(up.timeout().plusSeconds(5));
    sb.maxRequestLength(0);
    sb.gracefulShutdownTimeout(QUIET, DRAIN);
    sb.meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()); // one per gateway, not global
    Server server;
    try {
      server = sb.build();
      server.start().join();
    } catch (RuntimeException e) {
      clients.close();
      loops.shutdownGracefully();
      throw GatewayStartException.of(e, listen);
    }
    return new GatewayServer(server, loops, clients, settings.tls() == null ? "http" : "https",
        listen.host() == null ? "0.0.0.0" : listen.host());
  }

  /** The port the gateway listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  /** Where it listens: {@code http://0.0.0.0:8080}, or {@code https://…}. */
  public String address() {
    return scheme + "://" + host + ":" + port();
  }

  /** Stops taking requests, waits for those in flight (up to 10 s), then closes. */
  @Override
  public void close() {
    server.stop().join();
    clients.close();
    loops.shutdownGracefully();
  }

  /** The listener could not be opened; the message says why in the operator's words. */
  public static final class GatewayStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    GatewayStartException(String message, Throwable cause) {
      super(message, cause);
    }

    static GatewayStartException of(RuntimeException e, Settings.Listen listen) {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      for (Throwable t = c; t != null; t = t.getCause()) {
        String m = String.valueOf(t.getMessage());
        if (t instanceof BindException || m.contains("Address already in use")) {
          return new GatewayStartException("cannot listen on " + listen + ": port " + listen.port()
              + " is already in use (another process listens there; choose another with 'listen:')", e);
        }
        if (m.contains("Cannot assign requested address") || m.contains("Permission denied")) {
          return new GatewayStartException("cannot listen on " + listen + ": " + m.replaceFirst("^bind\\(\\.\\.\\) failed: ", ""), e);
        }
      }
      if (c instanceof GatewayStartException) {
        return (GatewayStartException) c;
      }
      return new GatewayStartException("cannot listen on " + listen + ": " + c.getMessage(), e);
    }
  }
}
