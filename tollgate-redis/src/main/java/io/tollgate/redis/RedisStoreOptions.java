package io.tollgate.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisStore} reaches Redis and what it does when Redis does not answer.
 *
 * <p>Immutable; made with {@link #builder(String)}.
 */
public final class RedisStoreOptions {

  /** What a decision does when Redis does not answer within the timeout, or the breaker is open. */
  public enum OnFailure {
    /** Admit the request (availability over limits). */
    ALLOW,
    /** Refuse the request (limits over availability). */
    DENY,
    /** Decide on this node's own memory store until Redis answers again: limits hold per node. */
    LOCAL
  }

  /** Whose clock times a decision. */
  public enum ClockSource {
    /** Redis's ({@code TIME}, read once per call): every node agrees, whatever its own clock says. */
    REDIS,
    /** The node's: for managed Redis that refuses {@code TIME} in scripts. Nodes' clocks must agree. */
    LOCAL
  }

  private final String uri;
  private final Duration timeout;
  private final OnFailure onFailure;
  private final ClockSource clock;
  private final Duration leaseTtl;
  private final String keyPrefix;
  private final int refusalCacheSize;
  private final long localMaxKeys;

  private RedisStoreOptions(Builder b) {
    this.uri = b.uri;
    this.timeout = b.timeout;
    this.onFailure = b.onFailure;
    this.clock = b.clock;
    this.leaseTtl = b.leaseTtl;
    this.keyPrefix = b.keyPrefix;
    this.refusalCacheSize = b.refusalCacheSize;
    this.localMaxKeys = b.localMaxKeys;
  }

  /**
   * @param uri {@code redis://[:password@]host:port[/db]}, {@code rediss://…} (TLS) or
   *     {@code redis-cluster://[:password@]host:port,host:port}
   */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  public String uri() {
    return uri;
  }

  /** How long one call may take before the decision follows {@link #onFailure()}. Default 50 ms. */
  public Duration timeout() {
    return timeout;
  }

  /** Default {@link OnFailure#LOCAL}. */
  public OnFailure onFailure() {
    return onFailure;
  }

  /** Default {@link ClockSource#REDIS}. */
  public ClockSource clock() {
    return clock;
  }

  /** How long a concurrency slot outlives a node that died holding it. Default 60 s. */
  public Duration leaseTtl() {
    return leaseTtl;
  }

  /** Starts every key, and is its Redis Cluster hash tag: {@code {tollgate}:…}. Default {@code tollgate}. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** Keys remembered as refused until a known time (refused locally, no Redis call). Default 100,000. */
  public int refusalCacheSize() {
    return refusalCacheSize;
  }

  /** Counters of the memory store that {@link OnFailure#LOCAL} decides on. Default 1,000,000. */
  public long localMaxKeys() {
    return localMaxKeys;
  }

  @Override
  public String toString() {
    return redacted(uri) + " (timeout " + timeout.toMillis() + "ms, on failure " + onFailure.name().toLowerCase(java.util.Locale.ROOT)
        + ", clock " + clock.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  /** The URI without its password, for logs and the start line. */
  static String redacted(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.indexOf('@');
    return scheme < 0 || at < 0 ? uri : uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1);
  }

  /** Builds {@link RedisStoreOptions}. */
  public static final class Builder {
    private final String uri;
    private Duration timeout = Duration.ofMillis(50);
    private OnFailure onFailure = OnFailure.LOCAL;
    private ClockSource clock = ClockSource.REDIS;
    private Duration leaseTtl = Duration.ofSeconds(60);
    private String keyPrefix = "tollgate";
    private int refusalCacheSize = 100_000;
    private long localMaxKeys = 1_000_000;

    private Builder(String uri) {
      this.uri = Objects.requireNonNull(uri, "uri");
      if (!uri.startsWith("redis://") && !uri.startsWith("rediss://") && !uri.startsWith("redis-cluster://")) {
        throw new IllegalArgumentException("a Redis store URI starts with redis://, rediss:// or redis-cluster:// (was '"
            + redacted(uri) + "')");
      }
    }

    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be > 0 (was " + timeout + ")");
      }
      this.timeout = timeout;
      return this;
    }

    public Builder onFailure(OnFailure onFailure) {
      this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
      return this;
    }

    public Builder clock(ClockSource clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder leaseTtl(Duration leaseTtl) {
      if (leaseTtl.toMillis() < 1) {
        throw new IllegalArgumentException("lease-ttl must be at least 1ms (was " + leaseTtl + ")");
      }
      this.leaseTtl = leaseTtl;
      return this;
    }

    public Builder keyPrefix(String keyPrefix) {
      if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
        throw new IllegalArgumentException("key prefix must be non-empty, without braces (was '" + keyPrefix + "')");
      }
      this.keyPrefix = keyPrefix;
      return this;
    }

    public Builder refusalCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("refusal cache size must be >= 0 (was " + size + ")");
      }
      this.refusalCacheSize = size;
      return this;
    }

    public Builder localMaxKeys(long maxKeys) {
      this.localMaxKeys = maxKeys;
      return this;
    }

    public RedisStoreOptions build() {
      return new RedisStoreOptions(this);
    }
  }
}
