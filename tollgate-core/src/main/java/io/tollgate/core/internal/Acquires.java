package io.tollgate.core.internal;

import io.tollgate.core.RateLimiter.Acquire;
import io.tollgate.core.store.Batch;
import java.util.List;

/** The batch of counters a caller names itself ({@link io.tollgate.core.RateLimiter#tryAcquire(List)}). */
final class Acquires {

  private Acquires() {}

  /**
   * {@code acquires} as {@code s}'s batch at {@code now}, each limit's variant in {@code s.variants}.
   *
   * @throws IllegalArgumentException for no acquire, an unknown limit, a cost below 0, an override
   *     of a concurrency limit, or one limit and key named twice; nothing is taken then
   */
  static Batch batch(CompiledPolicy compiled, Scratch s, List<Acquire> acquires, long now) {
    if (acquires.isEmpty()) {
      throw new IllegalArgumentException("nothing to acquire");
    }
    for (int i = 0; i < acquires.size(); i++) {
      Acquire a = acquires.get(i);
      for (int j = 0; j < i; j++) {
        Acquire b = acquires.get(j);
        if (a.limitName().equals(b.limitName()) && a.key().equals(b.key())) {
          throw new IllegalArgumentException("limit '" + a.limitName() + "' and key '" + a.key()
              + "' are named twice: one counter is taken from once per decision (add the costs)");
        }
      }
    }
    Batch batch = s.batch.clear(now);
    for (int i = 0; i < acquires.size(); i++) {
      Acquire a = acquires.get(i);
      add(compiled, s, batch, i, a.limitName(), a.key(), a.cost(), a.limit());
    }
    return batch;
  }

  /** The batch of one counter, as {@link #batch(CompiledPolicy, Scratch, List, long)} without a list. */
  static Batch batch(CompiledPolicy compiled, Scratch s, String limitName, String key, long cost, long now) {
    Batch batch = s.batch.clear(now);
    if (cost <= 0) {
      throw new IllegalArgumentException("cost must be > 0 (was " + cost + ")");
    }
    add(compiled, s, batch, 0, limitName, key, cost, 0);
    return batch;
  }

  private static void add(CompiledPolicy compiled, Scratch s, Batch batch, int i, String limitName, String key,
      long cost, long number) {
    CompiledLimit l = compiled.limitsByName.get(limitName);
    if (l == null) {
      throw new IllegalArgumentException("no limit named '" + limitName + "' in the policy (limits: "
          + compiled.limitsByName.keySet() + ")");
    }
    if (cost < 0) {
      throw new IllegalArgumentException("cost must be >= 0 (was " + cost + ")");
    }
    if (number < 0) {
      throw new IllegalArgumentException("an overriding limit must be > 0 (was " + number + ")");
    }
    CompiledLimit.Variant v = number == 0 ? l.base : l.variantWithLimit(number);
    batch.beginEntry(v.spec, cost);
    batch.keyPart(key);
    batch.endEntry();
    if (s.variants[i] != v) { // scratch is long-lived: skip the GC write barrier when nothing changes
      s.variants[i] = v;
    }
  }
}
