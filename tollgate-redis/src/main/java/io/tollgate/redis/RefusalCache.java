package io.tollgate.redis;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counters known to be refused until a time (Envoy's over-limit cache): while a key is refused, a
 * caller hammering it is refused on this node without a Redis call. Bounded: when full, expired
 * entries are dropped, and if none are, nothing new is remembered. Thread-safe.
 *
 * <p>Only window and token-bucket counters are remembered (a concurrency slot can free up at any
 * moment), for the cost that was refused and more. A unit given back on this node forgets its key;
 * units given back on other nodes are not seen, so a key may stay refused here until the time Redis
 * gave, as with Envoy.
 */
final class RefusalCache {

  /** A refusal remembered: until when (this node's epoch ms), for what cost, and what Redis reported. */
  static final class Refusal {
    final long until;
    final long cost;
    final long remaining;
    final long resetAt;

    Refusal(long until, long cost, long remaining, long resetAt) {
      this.until = until;
      this.cost = cost;
      this.remaining = remaining;
      this.resetAt = resetAt;
    }
  }

  private final int capacity;
  private final Map<Key, Refusal> refused = new ConcurrentHashMap<>();

  RefusalCache(int capacity) {
    this.capacity = capacity;
  }

  /** The refusal of {@code key} for {@code cost} still in force at {@code now}, or {@code null}. */
  Refusal get(byte[] key, long cost, long now) {
    if (refused.isEmpty()) {
      return null;
    }
    Key k = new Key(key);
    Refusal r = refused.get(k);
    if (r == null) {
      return null;
    }
    if (r.until <= now) {
      refused.remove(k, r);
      return null;
    }
    return cost >= r.cost ? r : null;
  }

  void put(byte[] key, Refusal refusal, long now) {
    if (capacity == 0) {
      return;
    }
    if (refused.size() >= capacity) {
      for (Iterator<Refusal> it = refused.values().iterator(); it.hasNext(); ) {
        if (it.next().until <= now) {
          it.remove();
        }
      }
      if (refused.size() >= capacity) {
        return;
      }
    }
    refused.put(new Key(key), refusal);
  }

  void forget(byte[] key) {
    if (!refused.isEmpty()) {
      refused.remove(new Key(key));
    }
  }

  int size() {
    return refused.size();
  }

  private static final class Key {
    private final byte[] bytes;
    private final int hash;

    Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && Arrays.equals(bytes, ((Key) o).bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
