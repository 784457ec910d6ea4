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
  private final long maxKeys;

  PolicyFile(String source, Policy policy, String listenHost, int listenPort, String upstream, Duration upstreamTimeout,
      List<Cidr> trustedProxies, String store, long maxKeys) {
    this.source = source;
    this.policy = policy;
    this.listenHost = listenHost;
    this.listenPort = listenPort;
    this.upstream = upstream;
    this.upstreamTimeout = upstreamTimeout;
    this.trustedProxies = List.copyOf(trustedProxies);
    this.store = store;
    this.maxKeys = maxKeys;
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
