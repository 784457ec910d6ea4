package io.tollgate.redis;

import io.tollgate.core.Algorithm;
import io.tollgate.core.store.Batch;
import io.tollgate.core.store.LimitSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Java half of decide.lua: a batch into the script's keys and arguments, its answer back into the
 * batch. Keys are {@code {prefix}:counter:} and the key parts; an entry's argument is
 * {@code alg:limit:window:burst:interval:shadow:cost}; the answer is integers joined by commas: Redis's
 * time, whether all was taken, then four per entry (fits, remaining, reset, retry after).
 * Thread-safe.
 */
final class Script {

  static final String TEXT = loadScript();
  static final String SHA = sha1(TEXT);
  static final byte[] ACQUIRE = {'a'};
  static final byte[] PEEK = {'p'};
  static final byte[] RELEASE = {'r'};
  static final byte[] RESET = {'x'};
  static final byte[] NO_TIME = new byte[0]; // ARGV[2] '': the script reads Redis's clock
  private static final byte[] NO_LEASE = {'-'};
  private static final byte[] ONE = {'1'};

  private final byte[] keyPrefix;
  private final byte[] leaseTtl;
  private final boolean localClock;
  private final Map<LimitSpec, byte[][]> specArgs = new ConcurrentHashMap<>();

  Script(RedisStoreOptions options) {
    this.keyPrefix = ("{" + options.keyPrefix() + "}:").getBytes(StandardCharsets.UTF_8);
    this.leaseTtl = ascii(options.leaseTtl().toMillis());
    this.localClock = options.clock() == RedisStoreOptions.ClockSource.LOCAL;
  }

  /** The script's arguments: op, time, lease time-to-live, lease, then one per entry. */
  byte[][] args(byte[] op, Batch b, String lease) {
    int n = b.size();
    byte[][] args = new byte[4 + n][];
    args[0] = op;
    args[1] = op == RELEASE || localClock ? ascii(b.now()) : NO_TIME;
    args[2] = leaseTtl;
    args[3] = lease == null ? NO_LEASE : lease.getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < n; i++) {
      byte[] spec = specArgs(b.spec(i))[0];
      long cost = b.cost(i);
      byte[] c = cost == 1 ? ONE : ascii(cost);
      byte[] arg = Arrays.copyOf(spec, spec.length + c.length);
      System.arraycopy(c, 0, arg, spec.length, c.length);
      args[4 + i] = arg;
    }
    return args;
  }

  /**
   * Each entry's counter: {@code {prefix}:} and what the counter means ({@link LimitSpec#counter()},
   * the same on every node and across reloads), {@code :}, then the key parts (length-prefixed, binary).
   */
  byte[][] baseKeys(Batch b) {
    byte[][] keys = new byte[b.size()][];
    byte[] all = b.keyBytes();
    for (int i = 0; i < keys.length; i++) {
      byte[] head = specArgs(b.spec(i))[1];
      int from = b.partsStart(i);
      int len = b.keyEnd(i) - from;
      byte[] key = Arrays.copyOf(head, head.length + len);
      System.arraycopy(all, from, key, head.length, len);
      keys[i] = key;
    }
    return keys;
  }

  /** The head of every key of {@code s}'s counters: {@code {prefix}:counter:}. */
  byte[] head(LimitSpec s) {
    return specArgs(s)[1];
  }

  /** {@code bytes} as a SCAN pattern that matches exactly them, then anything: glob characters escaped. */
  static byte[] globEscaped(byte[] bytes) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(bytes.length + 8);
    for (byte b : bytes) {
      if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
        out.write('\\');
      }
      out.write(b);
    }
    out.write('*');
    return out.toByteArray();
  }

  /** A spec's script argument up to its cost ({@code f:limit:window:burst:interval:shadow:}) and its key head. */
  byte[][] specArgs(LimitSpec s) {
    byte[][] a = specArgs.get(s);
    if (a == null) {
      a = new byte[][] {argOf(s),
          (new String(keyPrefix, StandardCharsets.UTF_8) + s.counter() + ":").getBytes(StandardCharsets.UTF_8)};
      specArgs.putIfAbsent(s, a);
    }
    return a;
  }

  static byte[] argOf(LimitSpec s) {
    String alg;
    switch (s.algorithm()) {
      case FIXED_WINDOW:
        alg = "f";
        break;
      case SLIDING_WINDOW:
        alg = "s";
        break;
      case TOKEN_BUCKET:
        alg = "t";
        break;
      default:
        alg = "c";
        break;
    }
    return (alg + ":" + s.limit() + ":" + s.windowMillis() + ":" + s.burst() + ":" + s.intervalMicros() + ":"
        + (s.shadow() ? 1 : 0) + ":").getBytes(StandardCharsets.US_ASCII);
  }

  static void write(Batch b, long[] out, long offset) {
    for (int i = 0; i < b.size(); i++) {
      int at = 2 + 4 * i;
      b.result(i, out[at] == 1, out[at + 1], out[at + 2] + offset, out[at + 3]);
    }
  }

  /** The script's answer, integers joined by commas. */
  static long[] longs(byte[] csv) {
    int count = 1;
    for (byte c : csv) {
      if (c == ',') {
        count++;
      }
    }
    long[] out = new long[count];
    int k = 0;
    long v = 0;
    boolean negative = false;
    for (byte c : csv) {
      if (c == ',') {
        out[k++] = negative ? -v : v;
        v = 0;
        negative = false;
      } else if (c == '-') {
        negative = true;
      } else {
        v = v * 10 + (c - '0');
      }
    }
    out[k] = negative ? -v : v;
    return out;
  }

  static byte[] ascii(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * What one acquire took: the counter, Redis's time of the acquire (which names a window counter's
   * key), and the lease for concurrency slots.
   */
  static final class Token {
    final byte[] base;
    final long serverNow;
    final String lease;

    Token(byte[] base, long serverNow, String lease) {
      this.base = base;
      this.serverNow = serverNow;
      this.lease = lease;
    }

    /** The exact key the acquire took from: window counters live in {@code base:windowStart}. */
    byte[] counterKey(LimitSpec s) {
      if (s.algorithm() != Algorithm.FIXED_WINDOW && s.algorithm() != Algorithm.SLIDING_WINDOW) {
        return base;
      }
      long w = s.windowMillis();
      byte[] start = (":" + (serverNow - Math.floorMod(serverNow, w))).getBytes(StandardCharsets.US_ASCII);
      byte[] key = Arrays.copyOf(base, base.length + start.length);
      System.arraycopy(start, 0, key, base.length, start.length);
      return key;
    }
  }

  static String loadScript() {
    try (InputStream in = RedisStore.class.getResourceAsStream("decide.lua")) {
      if (in == null) {
        throw new IllegalStateException("decide.lua missing from the tollgate-redis jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String sha1(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte x : d) {
        hex.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
