package io.tollgate.gateway;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code request-header-timeout}: once the first byte of a request arrives, its headers must all
 * have arrived within the timeout, or the connection is closed. A slow client (slowloris) then holds
 * a connection for that long at most, not forever. The clock starts at the first byte on a new
 * connection (a TLS handshake counts) and at the first byte after each response on a keep-alive
 * one; it stops when the request reaches the gateway, which happens once its headers are decoded.
 * A connection that sends nothing is the idle timeout's. HTTP/2 carries many requests at once on
 * one connection: there the clock stops at the first request and the idle timeout applies.
 *
 * <p>One per connection, first in its pipeline (it sees the bytes as they come off the socket);
 * touched only on the connection's event loop.
 */
final class HeaderTimeout extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(HeaderTimeout.class);
  private static final AttributeKey<HeaderTimeout> KEY = AttributeKey.valueOf(HeaderTimeout.class, "KEY");

  private final long timeoutNanos;
  private ScheduledFuture<?> timer;
  private boolean waiting = true; // between requests: the next byte starts the clock
  private boolean multiplexed;

  private HeaderTimeout(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  /** Puts a header timeout of {@code timeout} first in a new connection's pipeline. */
  static void install(ChannelPipeline pipeline, Duration timeout) {
    HeaderTimeout h = new HeaderTimeout(timeout.toNanos());
    pipeline.channel().attr(KEY).set(h);
    pipeline.addFirst("tollgate-header-timeout", h);
  }

  /** The request of {@code ctx} has reached the gateway: its headers arrived in time. */
  static void headersArrived(ServiceRequestContext ctx) {
    Channel channel = ctx.log().partial().channel();
    HeaderTimeout h = channel == null ? null : channel.attr(KEY).get();
    if (h == null) {
      return;
    }
    boolean multiplex = ctx.sessionProtocol().isMultiplex();
    onLoop(channel, () -> h.arrived(ctx, channel, multiplex));
  }

  private void arrived(ServiceRequestContext ctx, Channel channel, boolean multiplex) {
    cancel();
    if (multiplex) {
      multiplexed = true;
      return;
    }
    ctx.log().whenComplete().thenRun(() -> onLoop(channel, () -> waiting = true));
  }

  /** Runs {@code task} on the connection's event loop: at once when already there (as a rule), else queued. */
  private static void onLoop(Channel channel, Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (waiting && !multiplexed) {
      waiting = false;
      timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelRead(msg);
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    log.debug("closing {}: request headers not complete within {} ms", ctx.channel().remoteAddress(),
        TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    ctx.fireChannelInactive();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
