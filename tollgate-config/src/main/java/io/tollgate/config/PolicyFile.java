package io.tollgate.config;

import io.tollgate.config.envoy.RlsConfig;

import io.tollgate.core.Policy;

/**
 * A policy file read and checked: the {@link Policy} the engine enforces, and the {@link Settings}
 * of the process that enforces it. Immutable.
 *
 * @param source where the file came from, as given
 * @param sha256 the SHA-256 of the file's bytes in hex, as {@code sha256sum} prints it
 * @param policy what is enforced
 * @param settings where and how: listen, upstream, TLS, trusted proxies, the store
 * @param rls the envoyproxy/ratelimit configuration {@code envoy-rls.config} names, read with the file;
 *     {@code null} without {@code envoy-rls:}
 */
public record PolicyFile(String source, String sha256, Policy policy, Settings settings, RlsConfig rls) {

  /** A policy file without {@code envoy-rls:}. */
  public PolicyFile(String source, String sha256, Policy policy, Settings settings) {
    this(source, sha256, policy, settings, null);
  }

  /**
   * What identifies what this file puts in effect: its own SHA-256, and the envoyproxy/ratelimit
   * configuration's when it has one. The same text, the same files: nothing to reload.
   */
  public String version() {
    return rls == null ? sha256 : sha256 + "+" + rls.sha256();
  }

  /** Says once (a warning) which of the file's settings an application embedding the engine ignores. */
  public void warnServerOnly(org.slf4j.Logger log) {
    java.util.List<String> ignored = settings.serverOnly();
    if (!ignored.isEmpty()) {
      log.warn("{}: {} configure the tollgate server and mean nothing in an application: ignored", source,
          String.join(", ", ignored));
    }
  }
}
