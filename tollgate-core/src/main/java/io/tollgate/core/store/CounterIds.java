package io.tollgate.core.store;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One small number per counter meaning ({@link LimitSpec#counter()}) in this JVM, so that in-process
 * keys start with a varint instead of the meaning's text. The same meaning gets the same number in
 * every limiter of the JVM: a limiter built from a reloaded policy finds the counters of the limits
 * that still mean the same thing. Numbers are never reused; there are as many as distinct meanings
 * ever seen (a policy's limits and their tenant variants, and those of its reloads). Thread-safe.
 */
final class CounterIds {

  private static final ConcurrentHashMap<String, Integer> IDS = new ConcurrentHashMap<>();
  private static final AtomicInteger NEXT = new AtomicInteger();

  private CounterIds() {}

  static int of(String counter) {
    return IDS.computeIfAbsent(counter, c -> NEXT.getAndIncrement());
  }
}
