package io.tollgate.core.store;

import java.util.Arrays;

/**
 * One counter of the memory store: its key and its state, guarded by the counter's own monitor.
 *
 * <p>48 bytes with compressed oops; see docs/benchmarks.md for the measured size per counter. What
 * {@code window} and {@code count} mean depends on the algorithm ({@link CounterMath}). A counter
 * removed from the table (expired or evicted) is marked dead under its lock, so that a thread that
 * found it before the removal looks it up again instead of counting into a counter nobody sees.
 */
final class Counter {

  static final byte DEAD = -1;

  final byte[] key;
  final int hash;
  /** The algorithm's ordinal, or {@link #DEAD}. */
  byte kind;
  /** {@link CounterMath#ticks Ticks} of the last acquire: the eviction order when the store is full. */
  int touched;
  /** {@link CounterMath#ticks Ticks} (rounded up) from which the state is the same as a fresh counter's. */
  int expires;
  long window;
  long count;

  Counter(byte[] key, int hash, byte kind) {
    this.key = key;
    this.hash = hash;
    this.kind = kind;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public boolean equals(Object o) {
    if (o instanceof Counter) {
      return Arrays.equals(key, ((Counter) o).key);
    }
    return o instanceof Probe && o.equals(this);
  }

  /**
   * A look-up key over a batch's bytes, so that finding an existing counter copies nothing. One per
   * thread; {@link java.util.concurrent.ConcurrentHashMap#get} calls {@code probe.equals(counter)}.
   */
  static final class Probe {
    byte[] bytes;
    int from;
    int to;
    int hash;

    Probe set(Batch b, int i) {
      byte[] k = b.keyBytes();
      if (bytes != k) {
        bytes = k;
      }
      from = b.keyStart(i);
      to = b.keyEnd(i);
      hash = b.keyHash(i);
      return this;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Counter && Arrays.equals(bytes, from, to, ((Counter) o).key, 0, ((Counter) o).key.length);
    }
  }
}
