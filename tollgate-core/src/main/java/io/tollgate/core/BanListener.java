package io.tollgate.core;

/**
 * Told when a caller's ban starts: for the log. Called on the deciding thread, only when a refusal
 * is the one that bans; must be quick and must not throw.
 */
@FunctionalInterface
public interface BanListener {

  /**
   * @param key the caller's ban key as text ({@code client-ip=203.0.113.7})
   * @param untilMillis when the ban ends, epoch ms
   */
  void banned(String key, long untilMillis);
}
