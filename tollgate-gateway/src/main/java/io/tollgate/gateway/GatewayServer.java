package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.common.util.TimeoutMode;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
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
 * {@link ProxyService} or the built-in {@link EchoService}.
 *
 * <p>That path is one immutable {@link Path} per policy; {@link #update} swaps in the next, and each
 * request reads the current one once when it arrives, so every request is decided wholly by one
 * policy and none is dropped by a swap. The gateway does not own the limiter: whoever made it closes
 * its store, after the gateway.
 */
public final class GatewayServer implements AutoCloseable {

  /** How long a stopping gateway waits for requests in flight, at most. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  /** A stopping gateway stops once no request has been in flight for this long (0 would stop at once). */
  private static final Duration QUIET = Duration.ofMillis(200);

  private final Server server;
  private final EventLoopGroup loops;
  private final Clients clients;
  private final Clock clock;
  private final boolean sharedStore;
  private final UpstreamListener listener; // null: none
  private final Tls tls; // null: plain HTTP
  private final String scheme;
  private final String host;
  private volatile Path path;

  private GatewayServer(Server server, EventLoopGroup loops, Clients clients, Clock clock, boolean sharedStore,
      UpstreamListener listener, Tls tls, String host, Path path) {
    this.listener = listener;
    this.server = server;
    this.loops = loops;
    this.clients = clients;
    this.clock = clock;
    this.sharedStore = sharedStore;
    this.tls = tls;
    this.scheme = tls == null ? "http" : "https";
    this.host = host;
    this.path = path;
  }

  /** A request's path for one policy: its limiter, in front of its upstream. Immutable. */
  private static final class Path {
    final Settings settings;
    final HttpService service;
    final Duration requestTimeout;

    Path(Settings settings, HttpService service) {
      this.settings = settings;
      this.service = service;
      this.requestTimeout = settings.upstream().timeout().plusSeconds(5);
    }
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
    return start(settings, limiter, clock, null, null);
  }

  /**
   * {@link #start(Settings, RateLimiter, Clock)}, telling {@code listener} of every upstream response
   * (metrics) and {@code accessLog} of every request; {@code null} for none.
   */
  public static GatewayServer start(Settings settings, RateLimiter limiter, Clock clock, UpstreamListener listener,
      AccessLogger accessLog) {
    requireUpstream(settings);
    boolean sharedStore = settings.store() instanceof StoreSettings.Redis;
    Tls tls = settings.tls() == null ? null : new Tls(settings.tls());
    // Own event loops: Armeria's shared ones close in their own JVM shutdown hooks, which would cut
    // off the requests a SIGTERM drain is waiting for.
    EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
    Clients clients = new Clients(loops);
    Path first = path(settings, limiter, clock, sharedStore, clients, listener, accessLog, null);
    GatewayServer[] self = new GatewayServer[1];
    ServerBuilder sb = Server.builder().workerGroup(loops, false);
    Settings.Listen listen = settings.listen();
    InetSocketAddress address = listen.host() == null ? new InetSocketAddress(listen.port())
        : new InetSocketAddress(listen.host(), listen.port());
    if (tls == null) {
      sb.http(address);
    } else {
      sb.https(address); // ALPN offers h2 and http/1.1
      sb.tlsProvider(tls);
    }
    sb.serviceUnder("/", (ServiceRequestContext ctx, HttpRequest req) -> self[0].serve(ctx, req));
    sb.requestTimeout(first.requestTimeout);
    Settings.Http http = settings.http();
    sb.maxRequestLength(http.maxRequestBody()); // 0: unbounded, streamed through
    sb.idleTimeout(http.idleTimeout());
    sb.maxNumConnections(http.maxConnections());
    sb.childChannelPipelineCustomizer(pipeline -> {
      HeaderTimeout.install(pipeline, http.requestHeaderTimeout());
      Http1Guard.install(pipeline);
    });
    sb.gracefulShutdownTimeout(QUIET, DRAIN);
    sb.meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()); // one per gateway, not global
    Server server;
    try {
      server = sb.build();
      self[0] = new GatewayServer(server, loops, clients, clock, sharedStore, listener, tls,
          listen.host() == null ? "0.0.0.0" : listen.host(), first);
      server.start().join();
    } catch (RuntimeException e) {
      clients.close();
      loops.shutdownGracefully();
      throw GatewayStartException.of(e, listen);
    }
    return self[0];
  }

  private HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) throws Exception {
    Path p = path; // once: the whole request goes by one policy
    HeaderTimeout.headersArrived(ctx);
    ctx.setRequestTimeout(TimeoutMode.SET_FROM_START, p.requestTimeout);
    ctx.setMaxRequestLength(p.settings.http().maxRequestBody());
    return p.service.serve(ctx, req);
  }

  private static Path path(Settings settings, RateLimiter limiter, Clock clock, boolean sharedStore,
      Clients clients, UpstreamListener listener, AccessLogger accessLog, Path previous) {
    Settings.Upstream up = settings.upstream();
    HttpService upstream;
    if (previous != null && previous.settings.upstream().equals(up)) {
      upstream = ((RateLimitService) previous.service).upstream();
    } else {
      upstream = up.isEcho() ? new EchoService() : new ProxyService(up.url(), up.timeout(), clients.get());
    }
    return new Path(settings, new RateLimitService(upstream, Deciding.of(settings, limiter, clock, sharedStore),
        listener, accessLog));
  }

  /**
   * From the next request on, decides with {@code limiter} and proxies as {@code settings} say
   * (upstream, its timeout, trusted proxies), and re-reads the TLS files. Requests in flight finish
   * as they began; {@code accessLog} (null: off) hears of the requests from then on. Where to listen, whether to speak TLS and the kind of store are fixed at start:
   * the caller keeps them.
   *
   * @throws GatewayStartException when the new TLS files cannot be used; nothing changes then
   */
  public synchronized void update(Settings settings, RateLimiter limiter, AccessLogger accessLog) {
    requireUpstream(settings);
    if (tls != null && settings.tls() != null) {
      tls.reload(settings.tls());
    }
    path = path(settings, limiter, clock, sharedStore, clients, listener, accessLog, path);
  }

  /**
   * Reads the TLS files again (a certificate rotated in place): new connections get what they hold.
   *
   * @return whether the certificate or key changed; false without TLS
   * @throws GatewayStartException when the files cannot be used; the pair in use stays
   */
  public synchronized boolean reloadTls(Settings.Tls files) {
    return tls != null && tls.reload(files);
  }

  private static void requireUpstream(Settings settings) {
    if (settings.upstream() == null) {
      throw new IllegalArgumentException("the gateway needs an upstream (a base URL, or 'echo')");
    }
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

    public GatewayStartException(String message, Throwable cause) {
      super(message, cause);
    }

    /** The operator's words for why {@code listen} could not be opened. */
    public static GatewayStartException of(RuntimeException e, Settings.Listen listen) {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      if (c instanceof GatewayStartException) {
        return (GatewayStartException) c;
      }
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
      return new GatewayStartException("cannot listen on " + listen + ": " + c.getMessage(), e);
    }
  }
}
