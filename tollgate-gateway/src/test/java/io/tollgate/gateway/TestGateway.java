package io.tollgate.gateway;

import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.store.MemoryStore;
import java.util.Map;

/** A gateway on a memory store for one policy, as the server assembles it (tests of the gateway alone). */
public final class TestGateway implements AutoCloseable {

  private final GatewayServer gateway;
  private final MemoryStore store;

  private TestGateway(GatewayServer gateway, MemoryStore store) {
    this.gateway = gateway;
    this.store = store;
  }

  /** Serves policy text (its {@code listen:} should be 0 or a free port). */
  public static TestGateway start(String policy, Map<String, String> env, Clock clock) throws PolicyException {
    return start(PolicyLoader.parse(policy, "test.yaml", env), clock);
  }

  public static TestGateway start(PolicyFile pf, Clock clock) {
    MemoryStore store = MemoryStore.create(pf.settings().store().maxKeys());
    RateLimiter limiter = RateLimiter.builder(pf.policy()).clock(clock).store(store).build();
    try {
      return new TestGateway(GatewayServer.start(pf.settings(), limiter, clock), store);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Real time, moved to one second past a whole day: no window of a minute or more ends during a
   * test, so two calls a millisecond apart never straddle its end (one did once, at a real minute's).
   */
  public static Clock pastADaysStart() {
    long start = System.currentTimeMillis();
    long base = start - Math.floorMod(start, 86_400_000L) + 1_000;
    return () -> base + (System.currentTimeMillis() - start);
  }

  public int port() {
    return gateway.port();
  }

  @Override
  public void close() {
    gateway.close();
    store.close();
  }
}
