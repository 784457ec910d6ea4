package io.tollgate.core.store;

import java.util.Arrays;

/**
 * The counters of one decision, passed to a {@link CounterStore} in one call so that a remote store
 * can check and consume all of them in one round trip.
 *
 * <p>Each entry names a counter (a {@link LimitSpec} and a key) and a cost; the store writes back, for
 * each entry, whether the cost fits, the units remaining, when the counter resets and how long until
 * the cost would fit. A key is bytes: the spec's id and each key part, length-prefixed, so that
 * different keys never collide. The limiter fills a batch and reads it back within one call; a
 * batch is reused (one per thread) and is not thread-safe.
 */
public final class Batch {

  private long now;
  private int size;
  private LimitSpec[] specs = new LimitSpec[4];
  private long[] costs = new long[4];
  private int[] keyStarts = new int[4];
  private int[] keyEnds = new int[4];
  private int[] keyHashes = new int[4];
  private byte[] keys = new byte[256];
  private int keyEnd;
  private int hash; // of the entry being written
  private char[] chars = new char[64];

  private boolean[] fits = new boolean[4];
  private long[] remaining = new long[4];
  private long[] resetAt = new long[4];
  private long[] retryAfter = new long[4];
  private Object[] tokens = new Object[4];
  private Object storeLocal;

  /**
   * Empties the batch for a decision taken at {@code nowMillis}. Old specs and tokens stay in the
   * arrays until overwritten: every entry's are set again before they are read.
   */
  /**
   * Where entry {@code i}'s key parts start in {@link #keyBytes()}: after the spec's in-process id,
   * for a store that names the counter by {@link LimitSpec#counter()} instead.
   */
  public int partsStart(int i) {
    int id = specs[i].id();
    int len = 1;
    while ((id & ~0x7F) != 0) {
      id >>>= 7;
      len++;
    }
    return keyStarts[i] + len;
  }

  public Batch clear(long nowMillis) {
    this.now = nowMillis;
    size = 0;
    keyEnd = 0;
    return this;
  }

  /** Starts an entry; its key is then written with {@link #keyPart} and closed by {@link #endEntry()}. */
  public int beginEntry(LimitSpec spec, long cost) {
    if (size == specs.length) {
      grow();
    }
    int i = size++;
    if (specs[i] != spec) { // a batch is long-lived: skip the GC write barrier when nothing changes
      specs[i] = spec;
    }
    costs[i] = cost;
    keyStarts[i] = keyEnd;
    hash = 0;
    writeVarint(spec.id());
    return i;
  }

  /** Appends one key part: {@code value.subSequence(from, to)}; a {@code null} value is the empty value. */
  public Batch keyPart(CharSequence value, int from, int to) {
    if (value == null) {
      writeVarint(0);
      return this;
    }
    int n = to - from;
    writeVarint(n);
    ensureKeyRoom(3 * n);
    char[] chars = chars(n);
    if (value instanceof String) {
      ((String) value).getChars(from, to, chars, 0); // one bulk copy instead of a call per char
    } else {
      for (int j = 0; j < n; j++) {
        chars[j] = value.charAt(from + j);
      }
    }
    // The hash of the chars is String.hashCode's, so a whole String's cached hash can stand for it.
    hash = 31 * hash + (value instanceof String && from == 0 && to == value.length() ? value.hashCode() : hashOf(chars, n));
    byte[] k = keys;
    int p = keyEnd;
    for (int j = 0; j < n; j++) {
      char c = chars[j];
      if (c < 0x80) {
        k[p++] = (byte) c;
      } else if (c < 0x800) {
        k[p++] = (byte) (0xC0 | (c >> 6));
        k[p++] = (byte) (0x80 | (c & 0x3F));
      } else { // every other char, surrogates included, as three bytes (CESU-8): injective, never throws
        k[p++] = (byte) (0xE0 | (c >> 12));
        k[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        k[p++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    keyEnd = p;
    return this;
  }

  private static int hashOf(char[] chars, int n) {
    int h = 0;
    for (int j = 0; j < n; j++) {
      h = 31 * h + chars[j];
    }
    return h;
  }

  private char[] chars(int n) {
    if (chars.length < n) {
      chars = new char[Math.max(n, chars.length * 2)];
    }
    return chars;
  }

  /** Appends one whole key part; {@code null} is the empty value. */
  public Batch keyPart(CharSequence value) {
    return keyPart(value, 0, value == null ? 0 : value.length());
  }

  /** Closes the entry's key and finishes its hash (made as the key was written). */
  public void endEntry() {
    int i = size - 1;
    keyEnds[i] = keyEnd;
    int h = hash;
    h ^= h >>> 16; // murmur3's finalizer: CHM and Redis slots both want the low bits mixed
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    keyHashes[i] = h;
  }

  /** Adds an entry that carries only a token from an earlier {@code acquire}, for {@link CounterStore#release}. */
  public void addRelease(LimitSpec spec, long cost, Object token) {
    int i = beginEntry(spec, cost);
    endEntry();
    token(i, token);
  }

  private void writeVarint(int v) {
    hash = 31 * hash + v;
    ensureKeyRoom(5);
    while ((v & ~0x7F) != 0) {
      keys[keyEnd++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    keys[keyEnd++] = (byte) v;
  }

  private void ensureKeyRoom(int n) {
    if (keyEnd + n > keys.length) {
      keys = Arrays.copyOf(keys, Math.max(keys.length * 2, keyEnd + n));
    }
  }

  private void grow() {
    int n = specs.length * 2;
    specs = Arrays.copyOf(specs, n);
    costs = Arrays.copyOf(costs, n);
    keyStarts = Arrays.copyOf(keyStarts, n);
    keyEnds = Arrays.copyOf(keyEnds, n);
    keyHashes = Arrays.copyOf(keyHashes, n);
    fits = Arrays.copyOf(fits, n);
    remaining = Arrays.copyOf(remaining, n);
    resetAt = Arrays.copyOf(resetAt, n);
    retryAfter = Arrays.copyOf(retryAfter, n);
    tokens = Arrays.copyOf(tokens, n);
  }

  /**
   * A slot for the store's own per-thread buffers: a batch belongs to one thread, so a store can keep
   * its scratch here instead of in a {@code ThreadLocal} of its own.
   */
  public Object storeLocal() {
    return storeLocal;
  }

  public void storeLocal(Object scratch) {
    this.storeLocal = scratch;
  }

  // ---- read by stores

  /** The decision's time, epoch milliseconds. For a release, the time of the decision being settled. */
  public long now() {
    return now;
  }

  public int size() {
    return size;
  }

  public LimitSpec spec(int i) {
    return specs[i];
  }

  public long cost(int i) {
    return costs[i];
  }

  /** The buffer holding every entry's key; entry {@code i} is {@code [keyStart(i), keyEnd(i))}. */
  public byte[] keyBytes() {
    return keys;
  }

  public int keyStart(int i) {
    return keyStarts[i];
  }

  public int keyEnd(int i) {
    return keyEnds[i];
  }

  /** A well-mixed hash of entry {@code i}'s key (equal keys, equal hashes). */
  public int keyHash(int i) {
    return keyHashes[i];
  }

  /** A copy of entry {@code i}'s key bytes. */
  public byte[] keyCopy(int i) {
    return Arrays.copyOfRange(keys, keyStarts[i], keyEnds[i]);
  }

  /** What the store attached to entry {@code i} in {@code acquire}, for settling it later. */
  public Object token(int i) {
    return tokens[i];
  }

  // ---- written by stores

  /**
   * The outcome of entry {@code i}.
   *
   * @param fits whether the entry's cost fits (for shadow specs: would have fitted)
   * @param remaining units left after this decision (clamped at 0)
   * @param resetAtMillis when the counter resets: a fixed window's end, a full bucket
   * @param retryAfterMillis how long until the cost would fit; 0 when it fits
   */
  public void result(int i, boolean fits, long remaining, long resetAtMillis, long retryAfterMillis) {
    this.fits[i] = fits;
    this.remaining[i] = Math.max(0, remaining);
    this.resetAt[i] = resetAtMillis;
    this.retryAfter[i] = Math.max(0, retryAfterMillis);
  }

  /** Attaches a store's handle to entry {@code i}: given back in {@link CounterStore#release}. */
  public void token(int i, Object token) {
    if (tokens[i] != token) {
      tokens[i] = token;
    }
  }

  public boolean fits(int i) {
    return fits[i];
  }

  public long remaining(int i) {
    return remaining[i];
  }

  public long resetAt(int i) {
    return resetAt[i];
  }

  public long retryAfter(int i) {
    return retryAfter[i];
  }
}
