package io.tollgate.gateway;

import com.linecorp.armeria.client.ClientFactory;
import io.netty.channel.EventLoopGroup;

/**
 * The gateway's client factory for its upstream, made on first use: a gateway with the built-in
 * echo upstream never makes one (which spares its start the client side's TLS and DNS set-up).
 * Thread-safe.
 */
final class Clients implements AutoCloseable {

  private final EventLoopGroup loops;
  private ClientFactory factory; // guarded by this

  Clients(EventLoopGroup loops) {
    this.loops = loops;
  }

  /** The factory, on the gateway's own event loops, the upstream connection on the client's loop. */
  synchronized ClientFactory get() {
    if (factory == null) {
      // Own event loops and client factory: Armeria's shared ones close in their own JVM shutdown
      // hooks, which would cut off the requests a SIGTERM drain is waiting for.
      factory = ClientFactory.builder().workerGroup(loops, false)
          .eventLoopSchedulerFactory(group -> new SameLoopScheduler(loops)).build();
    }
    return factory;
  }

  @Override
  public synchronized void close() {
    if (factory != null) {
      factory.close();
    }
  }
}
