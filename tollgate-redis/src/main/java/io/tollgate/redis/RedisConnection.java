package io.tollgate.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one multiplexed connection to Redis or Redis Cluster (Lettuce). Once made, Lettuce
 * keeps it: a Redis that goes away is reconnected to in the background. When the first connection
 * cannot be made (Redis not started yet, or down), the store starts all the same: {@link #commands()}
 * is {@code null} meanwhile, so decisions follow on-failure, and the connection is tried again
 * every {@link #RETRY} until it is made. Thread-safe.
 */
final class RedisConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate.redis");
  /** How often a connection never made is tried again. */
  static final Duration RETRY = Duration.ofMillis(250);

  private final String uri;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisClusterClient cluster;
  private volatile StatefulConnection<byte[], byte[]> connection;
  private volatile RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final Runnable onLateConnection;
  private volatile boolean closed;

  private RedisConnection(RedisStoreOptions options, Runnable onLateConnection) {
    this.uri = options.uri();
    this.onLateConnection = onLateConnection;
    // Reconnect quickly (Lettuce's default backs off to 30 s): decisions should come from Redis again
    // within a second of it coming back.
    this.resources = ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(20), Duration.ofMillis(250), 2, TimeUnit.MILLISECONDS))
        .nettyCustomizer(new NettyCustomizer() {
          @Override
          public void afterChannelInitialized(Channel channel) {
            // Lettuce writes and flushes each command as it comes; with many in flight, one write
            // system call carries all that are waiting instead (and Redis reads them in one).
            channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
          }
        })
        .build();
    SocketOptions socket = SocketOptions.builder().connectTimeout(Duration.ofSeconds(2)).keepAlive(true).build();
    // Lettuce times every command out itself (a timer wheel): what bounds an asynchronous decision.
    TimeoutOptions timeouts = TimeoutOptions.enabled(options.timeout());
    try {
      if (uri.startsWith("redis-cluster://")) {
        this.cluster = RedisClusterClient.create(resources, clusterUris(uri));
        // Lettuce 7 refreshes the topology on every adaptive trigger (MOVED, ASK, reconnects...) by default.
        cluster.setOptions(ClusterClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
            .build()); // commands wait while a node's connection is being made (the timeout bounds it):
                       // rejecting them would fail the first command to every node
        this.client = null;
      } else {
        this.client = RedisClient.create(resources, RedisURI.create(uri));
        client.setOptions(ClientOptions.builder().socketOptions(socket).timeoutOptions(timeouts)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
        this.cluster = null;
      }
    } catch (RuntimeException e) {
      resources.shutdown(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalArgumentException("bad Redis URI " + RedisStoreOptions.redacted(uri) + ": " + rootMessage(e), e);
    }
  }

  /**
   * Connects, waiting for the first attempt (at most the 2 s connect timeout); if it fails, returns
   * unconnected and goes on trying in the background.
   *
   * @param onLateConnection run once a connection is made in the background
   *
   * @throws IllegalArgumentException for a URI Lettuce cannot read
   */
  static RedisConnection open(RedisStoreOptions options, Runnable onLateConnection) {
    RedisConnection c = new RedisConnection(options, onLateConnection);
    try {
      c.connected(c.connectAsync().toCompletableFuture().join());
    } catch (RuntimeException e) {
      log.warn("Redis at {} does not answer ({}): starting anyway, deciding by on-failure {} until it does",
          RedisStoreOptions.redacted(c.uri), rootMessage(e), options.onFailure().name().toLowerCase(java.util.Locale.ROOT));
      c.retryLater();
    }
    return c;
  }

  /** The commands of the connection, or {@code null} while it has never been made. */
  RedisClusterAsyncCommands<byte[], byte[]> commands() {
    return commands;
  }

  private CompletionStage<? extends StatefulConnection<byte[], byte[]>> connectAsync() {
    if (cluster != null) { // a cluster connection needs the topology first (connect() reads it itself)
      return cluster.refreshPartitionsAsync().thenCompose(v -> cluster.connectAsync(ByteArrayCodec.INSTANCE));
    }
    return client.connectAsync(ByteArrayCodec.INSTANCE, RedisURI.create(uri));
  }

  @SuppressWarnings("unchecked")
  private void connected(StatefulConnection<byte[], byte[]> c) {
    synchronized (this) {
      if (closed) {
        c.closeAsync();
        return;
      }
      connection = c;
      commands = c instanceof StatefulRedisClusterConnection
          ? ((StatefulRedisClusterConnection<byte[], byte[]>) c).async()
          : ((StatefulRedisConnection<byte[], byte[]>) c).async();
    }
  }

  private void retryLater() {
    resources.eventExecutorGroup().schedule(() -> {
      if (closed) {
        return;
      }
      connectAsync().whenComplete((c, e) -> {
        if (e != null) {
          log.debug("Redis at {} still does not answer: {}", RedisStoreOptions.redacted(uri), rootMessage(e));
          retryLater();
        } else {
          connected(c);
          onLateConnection.run();
          log.info("Redis at {} answers: decisions come from it now", RedisStoreOptions.redacted(uri));
        }
      });
    }, RETRY.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** {@code redis-cluster://[:password@]h1:p1,h2:p2} to one URI per seed node. */
  static List<RedisURI> clusterUris(String uri) {
    String rest = uri.substring("redis-cluster://".length());
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String user = rest.substring(0, at);
      password = user.startsWith(":") ? user.substring(1) : user;
      rest = rest.substring(at + 1);
    }
    List<RedisURI> out = new ArrayList<>();
    for (String hostPort : rest.split(",")) {
      int colon = hostPort.lastIndexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException("a cluster node is host:port (was '" + hostPort + "')");
      }
      RedisURI.Builder b = RedisURI.builder().withHost(hostPort.substring(0, colon))
          .withPort(Integer.parseInt(hostPort.substring(colon + 1)));
      if (password != null) {
        b.withPassword(password.toCharArray());
      }
      out.add(b.build());
    }
    return out;
  }

  @Override
  public void close() {
    StatefulConnection<byte[], byte[]> c;
    synchronized (this) {
      closed = true;
      c = connection;
    }
    try {
      if (c != null) {
        c.close();
      }
    } finally {
      if (cluster != null) {
        cluster.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      } else {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  /** A command sent while no connection has been made yet: fails at once, as a refused connection does. */
  static <T> CompletableFuture<T> notConnected(String uri) {
    return CompletableFuture.failedFuture(new io.lettuce.core.RedisConnectionException(
        "not connected to Redis at " + RedisStoreOptions.redacted(uri) + " yet"));
  }
}
