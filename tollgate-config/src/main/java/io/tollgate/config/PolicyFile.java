package io.tollgate.config;

import io.tollgate.core.Cidr;
import io.tollgate.core.Policy;
import java.time.Duration;
import java.util.List;

/**
 * A policy file read and checked: the {@link Policy} for the engine, and the settings of the process
 * that enforces it (where to listen, the upstream, the store). Immutable.
 */
public final class PolicyFile {

  /** The built-in upstream that answers every request with a JSON description of it. */
  public static final String ECHO = "echo";

  private final String source;
  private final Policy policy;
  private final String listenHost;
  private final int listenPort;
  private final String upstream;
  private final Duration upstreamTimeout;
  private final List<Cidr> trustedProxies;
  private final String store;
  private final RedisSettings redis;
  private final long maxKeys;

  PolicyFile(String source, Policy policy, String listenHost, int listenPort, String upstream, Duration upstreamTimeout,
      List<Cidr> trustedProxies, String store, RedisSettings redis, long maxKeys) {
    this.source = source;
    this.policy = policy;
    this.listenHost = listenHost;
    this.listenPort = listenPort;
    this.upstream = upstream;
    this.upstreamTimeout = upstreamTimeout;
    this.trustedProxies = List.copyOf(trustedProxies);
    this.store = store;
    this.redis = redis;
    this.maxKeys = maxKeys;
  }

  /**
   * The store for a console line: {@code memory}, or the Redis URI without its password and the
   * {@code redis:} settings.
   */
  public String describeStore() {
    if (store.equals("memory")) {
      return store;
    }
    int scheme = store.indexOf("://");
    int at = store.lastIndexOf('@');
    String uri = at < 0 ? store : store.substring(0, scheme + 3) + "***@" + store.substring(at + 1);
    return uri + " (timeout " + redis.timeout().toMillis() + "ms, on-failure " + redis.onFailure() + ", clock "
        + redis.clock() + ")";
  }

  /** The {@code redis:} block: how a Redis store behaves (defaults when the file has none). */
  public RedisSettings redis() {
    return redis;
  }

  /** The {@code redis:} block of a policy file. Immutable. */
  public static final class RedisSettings {

    /** No {@code redis:} block: 50ms, local, redis, 60s, tollgate. */
    public static final RedisSettings DEFAULTS =
        new RedisSettings(Duration.ofMillis(50), "local", "redis", Duration.ofSeconds(60), "tollgate");

    private final Duration timeout;
    private final String onFailure;
    private final String clock;
    private final Duration leaseTtl;
    private final String keyPrefix;

    RedisSettings(Duration timeout, String onFailure, String clock, Duration leaseTtl, String keyPrefix) {
      this.timeout = timeout;
      this.onFailure = onFailure;
      this.clock = clock;
      this.leaseTtl = leaseTtl;
      this.keyPrefix = keyPrefix;
    }

    /** How long one Redis call may take. */
    public Duration timeout() {
      return timeout;
    }

    /** {@code allow}, {@code deny} or {@code local}: what a decision does when Redis does not answer. */
    public String onFailure() {
      return onFailure;
    }

    /** {@code redis} (Redis's TIME) or {@code local} (the node's clock). */
    public String clock() {
      return clock;
    }

    /** How long a concurrency slot outlives a node that died holding it. */
    public Duration leaseTtl() {
      return leaseTtl;
    }

    /** Starts every key; also the Redis Cluster hash tag. */
    public String keyPrefix() {
      return keyPrefix;
    }
  }

  /** Where the file came from, as given. */
  public String source() {
    return source;
  }

  public Policy policy() {
    return policy;
  }

  /** The address to bind, {@code null} for every interface. */
  public String listenHost() {
    return listenHost;
  }

  public int listenPort() {
    return listenPort;
  }

  /** The upstream's base URL, or {@link #ECHO}. */
  public String upstream() {
    return upstream;
  }

  public Duration upstreamTimeout() {
    return upstreamTimeout;
  }

  public List<Cidr> trustedProxies() {
    return trustedProxies;
  }

  /** {@code memory}, or a {@code redis://}, {@code rediss://} or {@code redis-cluster://} URI. */
  public String store() {
    return store;
  }

  /** The memory store's bound. */
  public long maxKeys() {
    return maxKeys;
  }
}
