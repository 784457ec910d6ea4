package io.tollgate.gateway;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.common.util.EventLoopGroups;
import io.netty.channel.EventLoopGroup;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.tollgate.config.PolicyFile;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.MemoryStore;
import io.tollgate.redis.RedisStore;
import io.tollgate.redis.RedisStoreOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;

/**
 * The gateway: one Armeria server enforcing one policy file. A request's path is assembled here, in
 * one place: {@link RateLimitService} (caller, status endpoint, decision, refusal, headers,
 * settlement) in front of the upstream, {@link ProxyService} or the built-in {@link EchoService}.
 */
public final class GatewayServer implements AutoCloseable {

  /** How long a stopping gateway waits for requests in flight, at most. */
  private static final Duration DRAIN = Duration.ofSeconds(10);
  /** A stopping gateway stops once no request has been in flight for this long (0 would stop at once). */
  private static final Duration QUIET = Duration.ofMillis(200);

  private final Server server;
  private final EventLoopGroup loops;
  private final ClientFactory clients;
  private final RateLimiter limiter;
  private final PolicyFile policyFile;

  private GatewayServer(Server server, EventLoopGroup loops, ClientFactory clients, RateLimiter limiter,
      PolicyFile policyFile) {
    this.server = server;
    this.loops = loops;
    this.clients = clients;
    this.limiter = limiter;
    this.policyFile = policyFile;
  }

  /** Starts a gateway for {@code policyFile}, listening where it says (port 0: any free port). */
  public static GatewayServer start(PolicyFile policyFile) {
    return start(policyFile, Clock.system());
  }

  /** Starts a gateway whose decisions read {@code clock} (tests, and embedders with a clock of their own). */
  public static GatewayServer start(PolicyFile pf, Clock clock) {
    boolean shared = !pf.store().equals("memory");
    CounterStore store = shared ? RedisStore.connect(redisOptions(pf)) : MemoryStore.create(pf.maxKeys());
    RateLimiter limiter = RateLimiter.builder(pf.policy()).clock(clock).store(store).build();
    // Own event loops and client factory: Armeria's shared ones close in their own JVM shutdown hooks,
    // which would cut off the requests a SIGTERM drain is waiting for.
    EventLoopGroup loops = EventLoopGroups.newEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()));
    ClientFactory clients = ClientFactory.builder().workerGroup(loops, false)
        .eventLoopSchedulerFactory(group -> new SameLoopScheduler(loops)).build();
    HttpService upstream = pf.upstream().equals(PolicyFile.ECHO)
        ? new EchoService()
        : new ProxyService(pf.upstream(), pf.upstreamTimeout(), clients);
    StatusEndpoint status = pf.policy().statusEndpoint() == null ? null
        : new StatusEndpoint(pf.policy().statusEndpoint(), limiter);
    ServerBuilder sb = Server.builder().workerGroup(loops, false);
    if (pf.listenHost() == null) {
      sb.http(pf.listenPort());
    } else {
      sb.http(new InetSocketAddress(pf.listenHost(), pf.listenPort()));
    }
    sb.serviceUnder("/", upstream
        .decorate(next -> new RateLimitService(next, limiter, new ClientAddress(pf.trustedProxies()), status, clock, shared)));
    sb.requestTimeout(pf.upstreamTimeout().plusSeconds(5));
    sb.maxRequestLength(0);
    sb.gracefulShutdownTimeout(QUIET, DRAIN);
    sb.meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()); // one per gateway, not global
    Server server = sb.build();
    try {
      server.start().join();
    } catch (RuntimeException e) {
      clients.close();
      loops.shutdownGracefully();
      limiter.close();
      throw e;
    }
    return new GatewayServer(server, loops, clients, limiter, pf);
  }

  private static RedisStoreOptions redisOptions(PolicyFile pf) {
    PolicyFile.RedisSettings r = pf.redis();
    return RedisStoreOptions.builder(pf.store())
        .timeout(r.timeout())
        .onFailure(RedisStoreOptions.OnFailure.valueOf(r.onFailure().toUpperCase(Locale.ROOT)))
        .clock(RedisStoreOptions.ClockSource.valueOf(r.clock().toUpperCase(Locale.ROOT)))
        .leaseTtl(r.leaseTtl())
        .keyPrefix(r.keyPrefix())
        .localMaxKeys(pf.maxKeys())
        .build();
  }

  /** The port the gateway listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  /** One line for the console: where it listens, the policy, its routes and limits, the store. */
  public String describe() {
    return "tollgate: listening on http://" + (policyFile.listenHost() == null ? "0.0.0.0" : policyFile.listenHost())
        + ":" + port() + ", policy " + policyFile.source() + " (" + policyFile.policy().routes().size() + " routes, "
        + policyFile.policy().limits().size() + " limits), upstream " + policyFile.upstream() + ", store "
        + policyFile.describeStore();
  }

  /** Stops taking requests, waits for those in flight (up to 10 s), then closes. */
  @Override
  public void close() {
    server.stop().join();
    clients.close();
    loops.shutdownGracefully();
    limiter.close();
  }
}
