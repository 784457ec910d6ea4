package io.tollgate.core;

/**
 * Told of the units every admitted decision took, per limit and key: for a heavy-hitters view.
 * Called on the deciding thread for each limit a decision took from; must be quick, must not throw,
 * and must copy what it keeps of {@code key} (the bytes are a reused buffer).
 */
@FunctionalInterface
public interface UsageListener {

  /**
   * @param limit the limit's name
   * @param key the key's parts in {@code key[from..to)} (read back as text with
   *     {@link RateLimiter#keyText})
   * @param units the cost taken
   */
  void taken(String limit, byte[] key, int from, int to, long units);
}
