package io.tollgate.gateway;

import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.EventLoopScheduler;
import com.linecorp.armeria.client.endpoint.EndpointGroup;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.common.util.ReleasableHolder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

/**
 * Runs a proxied request's upstream connection on the event loop that serves its client connection,
 * so one thread moves a request's bytes both ways (as nginx and Envoy workers do).
 *
 * <p>Needed for correctness, not only speed: Armeria's HTTP/1 inbound flow control pauses reading a
 * connection when more than 128 KB are unconsumed and resumes it below 64 KB, and when the bytes are
 * produced on one thread and consumed on another, a pause can land after the resume and stop the
 * body for good (seen as a 256 MB upload or download stalling until the timeout). On one thread the
 * pause and the resume cannot interleave.
 */
final class SameLoopScheduler implements EventLoopScheduler {

  private final EventLoopGroup loops;

  SameLoopScheduler(EventLoopGroup loops) {
    this.loops = loops;
  }

  @Override
  public ReleasableHolder<EventLoop> acquire(SessionProtocol protocol, EndpointGroup endpointGroup, Endpoint endpoint) {
    EventLoop loop = current();
    return new ReleasableHolder<>() {
      @Override
      public EventLoop get() {
        return loop;
      }

      @Override
      public void release() {}
    };
  }

  private EventLoop current() {
    ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
    if (ctx != null) { // also when the request is served off the event loop (a decision on Redis)
      return ctx.eventLoop().withoutContext();
    }
    for (EventExecutor e : loops) {
      if (e.inEventLoop()) {
        return (EventLoop) e;
      }
    }
    return loops.next(); // not called from a server connection (never in the gateway's own path)
  }
}
