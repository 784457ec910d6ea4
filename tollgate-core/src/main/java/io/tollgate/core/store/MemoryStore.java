package io.tollgate.core.store;

import io.tollgate.core.Algorithm;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Counters in this JVM's memory: exact, thread-safe, bounded.
 *
 * <p>Design. Counters sit in one {@link ConcurrentHashMap}, each both key and value: its key is the
 * batch's key bytes, so looking one up copies nothing (a per-thread {@link Counter.Probe} is the
 * look-up key). Each counter's state is guarded by its own lock (a bit of the counter, see
 * {@link Counter}). A decision over one counter locks it; a decision over several locks them all
 * in one global order (key hash, then key bytes),
 * so two decisions never deadlock, tests every cost, and takes them only if all fit: no interleaving
 * can admit more than a limit allows, and a refused decision moves nothing.
 *
 * <p>Bounds. At most {@code maxKeys} counters (approximately, under concurrent inserts). When full, an
 * insert first drops a counter that holds nothing (expired), else the least recently used of a
 * sample; counters holding concurrency slots, or touched within the current second, are never dropped. Expired counters are also swept a
 * few at a time on each insert, so memory follows the live keys without any stop-the-world sweep and
 * without a background thread. A dropped counter is marked dead under its lock; a decision that
 * locked it retries with a fresh one.
 */
public final class MemoryStore implements CounterStore {

  /** Counters examined to pick one to drop when full. */
  private static final int EVICTION_SAMPLE = 16;
  /** Counters examined for expiry on each insert. */
  private static final int SWEEP_PER_INSERT = 2;

  private final long maxKeys;
  private final ConcurrentHashMap<Object, Counter> table = new ConcurrentHashMap<>();
  private final ReentrantLock sweepLock = new ReentrantLock();
  private Iterator<Counter> sweepCursor; // guarded by sweepLock

  private MemoryStore(long maxKeys) {
    if (maxKeys <= 0) {
      throw new IllegalArgumentException("maxKeys must be > 0 (was " + maxKeys + ")");
    }
    this.maxKeys = maxKeys;
  }

  /** A store of at most {@code maxKeys} counters. */
  public static MemoryStore create(long maxKeys) {
    return new MemoryStore(maxKeys);
  }

  /** The number of counters held now. */
  public long size() {
    return table.mappingCount();
  }

  @Override
  public boolean acquire(Batch batch) {
    Scratch s = scratch(batch);
    long now = batch.now();
    int n = batch.size();
    while (true) {
      Counter[] counters = s.counters(n);
      for (int i = 0; i < n; i++) {
        Counter c = findOrCreate(batch, i, s.probe, now);
        if (counters[i] != c) { // scratch is long-lived: skip the GC write barrier when nothing changes
          counters[i] = c;
        }
      }
      int outcome;
      if (n == 1) {
        Counter c = counters[0];
        c.lock();
        try {
          outcome = decideLocked(batch, counters, now);
        } finally {
          c.unlock();
        }
      } else if (n == 2) { // the common multi-limit case, without the general sort
        boolean inOrder = compareKeys(batch, 0, 1) < 0;
        Counter first = counters[inOrder ? 0 : 1];
        Counter second = counters[inOrder ? 1 : 0];
        first.lock();
        second.lock();
        try {
          outcome = decideLocked(batch, counters, now);
        } finally {
          second.unlock();
          first.unlock();
        }
      } else {
        int[] order = s.order(n);
        sortByKey(batch, order, n);
        for (int k = 0; k < n; k++) {
          counters[order[k]].lock();
        }
        try {
          outcome = decideLocked(batch, counters, now);
        } finally {
          for (int k = n - 1; k >= 0; k--) {
            counters[order[k]].unlock();
          }
        }
      }
      if (outcome >= 0) {
        return outcome == 1;
      }
      // A counter was dropped between look-up and lock: look up again.
    }
  }

  /** With every counter locked: 1 taken, 0 refused, -1 a counter is dead (retry). */
  private static int decideLocked(Batch batch, Counter[] counters, long now) {
    int n = batch.size();
    for (int i = 0; i < n; i++) {
      if (counters[i].dead()) {
        return -1;
      }
    }
    boolean all = true;
    for (int i = 0; i < n; i++) {
      LimitSpec spec = batch.spec(i);
      Counter c = counters[i];
      CounterMath.roll(c, spec, now);
      boolean fits = CounterMath.fits(c, spec, now, batch.cost(i));
      batch.result(i, fits, 0, 0, 0); // remembers fits until reported below
      all &= fits || spec.shadow();
    }
    int nowTicks = CounterMath.ticks(now);
    for (int i = 0; i < n; i++) {
      LimitSpec spec = batch.spec(i);
      Counter c = counters[i];
      boolean fits = batch.fits(i);
      if (all) {
        CounterMath.take(c, spec, now, batch.cost(i));
        c.touched = nowTicks;
      }
      CounterMath.report(c, spec, now, batch.cost(i), fits, batch, i);
      batch.token(i, c);
    }
    return all ? 1 : 0;
  }

  @Override
  public void release(Batch batch) {
    long decidedAt = batch.now();
    for (int i = 0; i < batch.size(); i++) {
      Counter c = (Counter) batch.token(i);
      c.lock();
      try {
        if (!c.dead()) {
          CounterMath.giveBack(c, batch.spec(i), decidedAt, batch.cost(i));
        }
      } finally {
        c.unlock();
      }
    }
  }

  @Override
  public List<Emptied> emptied(LimitSpec spec, long nowMillis, int max) {
    if (spec.algorithm() != Algorithm.TOKEN_BUCKET) {
      throw new IllegalArgumentException("not a token bucket: " + spec);
    }
    long nowMicros = nowMillis * 1000;
    List<Emptied> out = new ArrayList<>();
    for (Counter c : table.values()) {
      if (out.size() >= max) {
        break;
      }
      int at = idEnd(c.key, spec.id());
      if (at < 0) {
        continue;
      }
      c.lock();
      try {
        if (!c.dead() && c.count > nowMicros) { // the theoretical arrival time is past now: no token
          out.add(new Emptied(Arrays.copyOfRange(c.key, at, c.key.length), -Math.floorDiv(-c.count, 1000)));
        }
      } finally {
        c.unlock();
      }
    }
    return out;
  }

  /** Where a key's parts start if it begins with {@code id} as a varint, else -1. */
  private static int idEnd(byte[] key, int id) {
    int p = 0;
    int v = id;
    while ((v & ~0x7F) != 0) {
      if (p >= key.length || key[p++] != (byte) ((v & 0x7F) | 0x80)) {
        return -1;
      }
      v >>>= 7;
    }
    return p < key.length && key[p] == (byte) v ? p + 1 : -1;
  }

  @Override
  public void reset(Batch batch) {
    Counter.Probe probe = scratch(batch).probe;
    for (int i = 0; i < batch.size(); i++) {
      Counter c = table.get(probe.set(batch, i));
      if (c != null) {
        c.lock();
        try {
          if (!c.dead()) {
            drop(c); // marked dead first: a decision holding it settles against nothing
          }
        } finally {
          c.unlock();
        }
      }
    }
  }

  @Override
  public void peek(Batch batch) {
    Counter.Probe probe = scratch(batch).probe;
    long now = batch.now();
    for (int i = 0; i < batch.size(); i++) {
      LimitSpec spec = batch.spec(i);
      Counter c = table.get(probe.set(batch, i));
      if (c == null) {
        c = new Counter(null, 0, (byte) spec.algorithm().ordinal());
      }
      c.lock();
      try {
        CounterMath.roll(c, spec, now);
        CounterMath.report(c, spec, now, batch.cost(i), CounterMath.fits(c, spec, now, batch.cost(i)), batch, i);
      } finally {
        c.unlock();
      }
    }
  }

  private Counter findOrCreate(Batch batch, int i, Counter.Probe probe, long now) {
    Counter c = table.get(probe.set(batch, i));
    if (c != null) {
      return c;
    }
    int nowTicks = CounterMath.ticks(now);
    if (table.mappingCount() >= maxKeys) {
      makeRoom(nowTicks);
    }
    Counter fresh = new Counter(batch.keyCopy(i), batch.keyHash(i), (byte) batch.spec(i).algorithm().ordinal());
    fresh.touched = nowTicks;
    fresh.expires = nowTicks;
    Counter raced = table.putIfAbsent(fresh, fresh);
    if (raced != null) {
      return raced;
    }
    sweep(nowTicks, fresh);
    return fresh;
  }

  /** Drops expired counters among the next few, but not {@code spared}; never blocks an insert on another sweeper. */
  private void sweep(int nowTicks, Counter spared) {
    if (!sweepLock.tryLock()) {
      return;
    }
    try {
      for (int k = 0; k < SWEEP_PER_INSERT; k++) {
        Counter c = nextInCursor();
        if (c == null) {
          return;
        }
        if (c == spared) {
          continue;
        }
        c.lock();
        try {
          if (!c.dead() && CounterMath.idle(c, nowTicks)) {
            drop(c);
          }
        } finally {
          c.unlock();
        }
      }
    } finally {
      sweepLock.unlock();
    }
  }

  /** Drops one counter to stay within {@code maxKeys}: an idle one if the sample has one, else the least recently used. */
  private void makeRoom(int nowTicks) {
    sweepLock.lock();
    try {
      while (table.mappingCount() >= maxKeys) {
        Counter victim = null;
        for (int k = 0; k < EVICTION_SAMPLE; k++) {
          Counter c = nextInCursor();
          if (c == null) {
            break;
          }
          if (CounterMath.idle(c, nowTicks)) {
            victim = c;
            break;
          }
          boolean keep = c.algorithm() == io.tollgate.core.Algorithm.CONCURRENCY.ordinal() // holds slots
              || nowTicks - c.touched < 1; // a decision may be about to lock it
          if (!keep && (victim == null || c.touched - victim.touched < 0)) {
            victim = c;
          }
        }
        if (victim == null) {
          return; // only counters in use right now: keep them, go over the bound for a moment
        }
        victim.lock();
        try {
          if (!victim.dead()) {
            drop(victim);
          }
        } finally {
          victim.unlock();
        }
      }
    } finally {
      sweepLock.unlock();
    }
  }

  /** Under {@code c}'s lock. */
  private void drop(Counter c) {
    c.markDead();
    table.remove(c, c);
  }

  private Counter nextInCursor() {
    if (sweepCursor == null || !sweepCursor.hasNext()) {
      sweepCursor = table.values().iterator();
      if (!sweepCursor.hasNext()) {
        return null;
      }
    }
    return sweepCursor.next();
  }

  private static void sortByKey(Batch batch, int[] order, int n) {
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = 1; i < n; i++) { // insertion sort: a request has a handful of limits
      int x = order[i];
      int j = i - 1;
      while (j >= 0 && compareKeys(batch, order[j], x) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
  }

  private static int compareKeys(Batch b, int i, int j) {
    int c = Integer.compare(b.keyHash(i), b.keyHash(j));
    if (c != 0) {
      return c;
    }
    return java.util.Arrays.compare(b.keyBytes(), b.keyStart(i), b.keyEnd(i), b.keyBytes(), b.keyStart(j), b.keyEnd(j));
  }

  private Scratch scratch(Batch batch) {
    Object local = batch.storeLocal();
    if (local instanceof Scratch && ((Scratch) local).store == this) {
      return (Scratch) local;
    }
    Scratch s = new Scratch(this);
    batch.storeLocal(s);
    return s;
  }

  /** Per-thread buffers (kept in the thread's batch), so that a decision allocates nothing here. */
  private static final class Scratch {
    final MemoryStore store;
    final Counter.Probe probe = new Counter.Probe();
    private Counter[] counters = new Counter[4];
    private int[] order = new int[4];

    Scratch(MemoryStore store) {
      this.store = store;
    }

    Counter[] counters(int n) {
      if (counters.length < n) {
        counters = new Counter[n];
      }
      return counters;
    }

    int[] order(int n) {
      if (order.length < n) {
        order = new int[n];
      }
      return order;
    }
  }
}
