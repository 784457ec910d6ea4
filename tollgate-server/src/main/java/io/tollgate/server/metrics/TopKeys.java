package io.tollgate.server.metrics;

import io.tollgate.core.UsageListener;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * The callers that took the most units of each limit recently, kept by this node in bounded memory:
 * per limit, Apache DataSketches' frequent-items sketch (at most {@link #MAX_MAP} keys tracked, an
 * estimate whose error is bounded by the units counted over the map's size), over two windows of
 * {@link #WINDOW_MILLIS}: the current one and the one before, merged when asked. Thread-safe (a
 * lock per limit).
 */
public final class TopKeys implements UsageListener {

  /** The sketch's map size: how many keys it tracks at most, per limit and window. */
  static final int MAX_MAP = 1024;
  /** How long a window lasts: "recently" is between one and two of these. */
  public static final long WINDOW_MILLIS = 5 * 60_000;

  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Windows> byLimit = new ConcurrentHashMap<>();

  /** @param clock epoch milliseconds */
  public TopKeys(LongSupplier clock) {
    this.clock = clock;
  }

  private static final class Windows {
    ItemsSketch<ByteBuffer> current = new ItemsSketch<>(MAX_MAP);
    ItemsSketch<ByteBuffer> previous = new ItemsSketch<>(MAX_MAP);
    long currentStart;

    /** Moves on to the window {@code now} is in (guarded by this). */
    void roll(long now) {
      long start = now - Math.floorMod(now, WINDOW_MILLIS);
      if (start != currentStart) {
        previous = start - currentStart == WINDOW_MILLIS ? current : new ItemsSketch<>(MAX_MAP);
        current = new ItemsSketch<>(MAX_MAP);
        currentStart = start;
      }
    }
  }

  @Override
  public void taken(String limit, byte[] key, int from, int to, long units) {
    Windows w = byLimit.get(limit);
    if (w == null) {
      w = byLimit.computeIfAbsent(limit, k -> new Windows());
    }
    ByteBuffer k = ByteBuffer.wrap(Arrays.copyOfRange(key, from, to)); // equal and hashed by content
    long now = clock.getAsLong();
    synchronized (w) {
      w.roll(now);
      w.current.update(k, units);
    }
  }

  /** One heavy caller: its key's parts and the units it took (an estimate, never below the truth). */
  public record Heavy(byte[] keyParts, long units) {}

  /** The {@code n} keys of {@code limit} that took the most units recently, heaviest first. */
  public List<Heavy> top(String limit, int n) {
    Windows w = byLimit.get(limit);
    if (w == null) {
      return List.of();
    }
    ItemsSketch<ByteBuffer> merged = new ItemsSketch<>(MAX_MAP);
    synchronized (w) {
      w.roll(clock.getAsLong());
      merged.merge(w.previous);
      merged.merge(w.current);
    }
    Map<ByteBuffer, Long> units = new HashMap<>();
    for (ItemsSketch.Row<ByteBuffer> row : merged.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
      units.put(row.getItem(), row.getEstimate());
    }
    List<Heavy> out = new ArrayList<>();
    units.entrySet().stream().sorted(Map.Entry.<ByteBuffer, Long>comparingByValue(Comparator.reverseOrder())).limit(n)
        .forEach(e -> out.add(new Heavy(e.getKey().array(), e.getValue())));
    return out;
  }
}
