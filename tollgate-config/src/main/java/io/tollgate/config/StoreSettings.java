package io.tollgate.config;

import java.time.Duration;

/** Where counters live: {@link Memory} (this process) or {@link Redis} (shared). Immutable. */
public sealed interface StoreSettings {

  /** The memory store's bound on counters, and the Redis store's local fallback's. */
  long maxKeys();

  /** For a console line: {@code memory}, or the Redis URI without its password and the settings. */
  String describe();

  /** Counters in this process, at most {@code maxKeys} (idle ones dropped first). */
  record Memory(long maxKeys) implements StoreSettings {

    @Override
    public String describe() {
      return "memory";
    }
  }

  /**
   * Counters on Redis or Redis Cluster.
   *
   * @param uri {@code redis://}, {@code rediss://} or {@code redis-cluster://}, password included
   * @param timeout how long one Redis call may take
   * @param onFailure what a decision does while Redis does not answer
   * @param clock whose clock times windows
   * @param leaseTtl how long a concurrency slot outlives a node that died holding it
   * @param keyPrefix starts every key; also the Redis Cluster hash tag
   * @param maxKeys the bound of the local store {@link OnFailure#LOCAL} decides on
   */
  record Redis(String uri, Duration timeout, OnFailure onFailure, Clock clock, Duration leaseTtl, String keyPrefix,
      long maxKeys) implements StoreSettings {

    @Override
    public String describe() {
      int scheme = uri.indexOf("://");
      int at = uri.lastIndexOf('@');
      String shown = at < 0 ? uri : uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1);
      return shown + " (timeout " + timeout.toMillis() + "ms, on-failure " + onFailure.text() + ", clock "
          + clock.text() + ")";
    }
  }

  /** {@code redis.on-failure}. */
  enum OnFailure {
    /** Admit the request. */
    ALLOW,
    /** Refuse it. */
    DENY,
    /** Decide on this node's memory store. */
    LOCAL;

    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** {@code redis.clock}. */
  enum Clock {
    /** Redis's TIME: one clock for every node. */
    REDIS,
    /** Each node's own clock. */
    LOCAL;

    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
