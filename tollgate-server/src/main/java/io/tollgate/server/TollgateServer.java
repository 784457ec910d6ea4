package io.tollgate.server;

import io.tollgate.config.PolicyFile;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.CounterStore;
import io.tollgate.gateway.GatewayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process, assembled: one policy file's store and limiter, and the front doors that decide with
 * them (today the gateway). Start opens the store, builds the limiter and opens the doors; close
 * drains the doors (requests in flight finish, up to 10 s), then closes the limiter and the store.
 */
public final class TollgateServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private final PolicyFile file;
  private final CounterStore store;
  private final RateLimiter limiter;
  private final GatewayServer gateway;

  private TollgateServer(PolicyFile file, CounterStore store, RateLimiter limiter, GatewayServer gateway) {
    this.file = file;
    this.store = store;
    this.limiter = limiter;
    this.gateway = gateway;
  }

  /** Starts what {@code file} describes, with the system clock. */
  public static TollgateServer start(PolicyFile file) {
    return start(file, Clock.system());
  }

  /**
   * Starts what {@code file} describes, deciding by {@code clock}.
   *
   * @throws IllegalArgumentException when the file names no upstream
   * @throws GatewayServer.GatewayStartException when the listener cannot be opened
   */
  public static TollgateServer start(PolicyFile file, Clock clock) {
    CounterStore store = Stores.open(file.settings().store());
    RateLimiter limiter = RateLimiter.builder(file.policy()).clock(clock).store(store).build();
    try {
      GatewayServer gateway = GatewayServer.start(file.settings(), limiter, clock);
      TollgateServer server = new TollgateServer(file, store, limiter, gateway);
      log.info(server.describe());
      return server;
    } catch (RuntimeException e) {
      closeStore(store);
      throw e;
    }
  }

  /** The port the gateway listens on. */
  public int port() {
    return gateway.port();
  }

  /** The limiter the front doors decide with. */
  public RateLimiter limiter() {
    return limiter;
  }

  /** The start line: where it listens, the policy, its routes and limits, the upstream, the store. */
  public String describe() {
    return "listening on " + gateway.address() + ", policy " + file.source() + " (" + file.policy().routes().size()
        + " routes, " + file.policy().limits().size() + " limits), upstream " + file.settings().upstream().url()
        + ", store " + file.settings().store().describe();
  }

  /** Stops taking requests, lets those in flight finish (up to 10 s), then closes the store. */
  @Override
  public void close() {
    try {
      gateway.close();
    } finally {
      closeStore(store);
    }
  }

  private static void closeStore(CounterStore store) {
    try {
      store.close();
    } catch (Exception e) {
      log.warn("closing the store failed: {}", e.toString());
    }
  }
}
