package io.tollgate.core.store;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * One counter of the memory store: its key and its state, guarded by the counter's own lock.
 *
 * <p>48 bytes with compressed oops; see docs/benchmarks.md for the measured size per counter. What
 * {@code window} and {@code count} mean depends on the algorithm ({@link CounterMath}). A counter
 * removed from the table (expired or evicted) is marked dead under its lock, so that a thread that
 * found it before the removal looks it up again instead of counting into a counter nobody sees.
 *
 * <p>The lock is one bit of the {@code kind} byte, taken by a CAS and released by a release store:
 * no field is added (the 48 bytes hold), and taking two counters costs two CASes, where nested
 * monitors measured about 75 ns more per two-limit decision (docs/concurrency.md).
 */
final class Counter {

  private static final int ALGORITHM = 0x0F;
  private static final int DEAD = 0x20;
  private static final int LOCKED = 0x40;
  private static final int SPINS_BEFORE_YIELD = 64;
  private static final VarHandle KIND;

  static {
    try {
      KIND = MethodHandles.lookup().findVarHandle(Counter.class, "kind", byte.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final byte[] key;
  final int hash;
  /** The algorithm's ordinal in the low bits, with the {@link #DEAD} and {@link #LOCKED} flags. */
  private volatile byte kind;
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

  /** Takes the lock: spins briefly, then yields the processor between tries. */
  void lock() {
    for (int spins = 0; ; spins++) {
      byte k = (byte) KIND.getAcquire(this);
      if ((k & LOCKED) == 0 && KIND.weakCompareAndSetAcquire(this, k, (byte) (k | LOCKED))) {
        return;
      }
      if (spins < SPINS_BEFORE_YIELD) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }

  /** Releases the lock; every write made under it is visible to the next holder. */
  void unlock() {
    KIND.setRelease(this, (byte) ((byte) KIND.getAcquire(this) & ~LOCKED));
  }

  /** Whether the counter was dropped from the table. Read under the lock. */
  boolean dead() {
    return (kind & DEAD) != 0;
  }

  /** Marks the counter dropped; called under the lock. */
  void markDead() {
    kind = (byte) (kind | DEAD);
  }

  /** The ordinal of the counter's algorithm. */
  int algorithm() {
    return kind & ALGORITHM;
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
