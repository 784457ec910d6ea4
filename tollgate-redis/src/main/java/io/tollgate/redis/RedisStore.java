package io.tollgate.redis;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.tollgate.core.Algorithm;
import io.tollgate.core.store.Batch;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.LimitSpec;
import io.tollgate.core.store.MemoryStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters in Redis, shared by every gateway node that points at it: exact limits for all of them
 * together. One decision is one run of a script ({@code EVALSHA}; {@code EVAL} again on
 * {@code NOSCRIPT}) that checks and takes every counter of the decision all-or-nothing, timed by
 * Redis's clock; under load, decisions that queue up behind the calls in flight share one call
 * ({@link Coalescer}). Counters expire by themselves; concurrency slots are leases that expire if a node
 * dies holding them.
 *
 * <p>No call waits longer than the timeout: on a timeout or a lost connection the decision follows
 * {@link RedisStoreOptions#onFailure()}, and after three failures in a row a breaker stops calling
 * Redis for 500 ms, then lets one call probe it. Keys refused until a known time are refused
 * locally until then ({@link RefusalCache}).
 *
 * <p>Thread-safe. {@link #acquireAsync} holds no thread; the blocking methods wait at most the
 * timeout (Lettuce's command timeout ends every call), and must not be called on Lettuce's own I/O
 * threads. Many threads share one multiplexed connection.
 */
public final class RedisStore implements CounterStore {

  private static final Logger log = LoggerFactory.getLogger("tollgate.redis");

  private static final long BREAKER_OPEN_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** Script calls on the wire at once; decisions that come meanwhile go together in the next. */
  private static final int MAX_CALLS_IN_FLIGHT = 2;
  private static final int MAX_BATCH = 64;

  private final RedisStoreOptions options;
  private final RedisConnection connection;
  private final MemoryStore local;
  private final RefusalCache refusals;
  private final Script script;
  private final Breaker breaker;
  private final String leasePrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";
  private final AtomicLong leases = new AtomicLong();
  private final RedisStats stats = new RedisStats();
  private final Coalescer calls;

  private RedisStore(RedisStoreOptions options, RedisConnection connection, Breaker breaker) {
    this.options = options;
    this.connection = connection;
    this.breaker = breaker;
    this.local = MemoryStore.create(options.localMaxKeys());
    this.refusals = new RefusalCache(options.refusalCacheSize());
    this.script = new Script(options);
    this.calls = new Coalescer(this::send, MAX_CALLS_IN_FLIGHT, MAX_BATCH,
        options.clock() == RedisStoreOptions.ClockSource.LOCAL);
  }

  /**
   * Connects to Redis. When it does not answer yet (not started, or down), the store is returned
   * all the same: decisions follow {@link RedisStoreOptions#onFailure()} (with a warning in the log)
   * and come from Redis once it answers, the connection tried again in the background. Once
   * connected, a Redis that goes away degrades decisions the same way and is reconnected to.
   *
   * @throws IllegalArgumentException when the URI cannot be read
   */
  public static RedisStore connect(RedisStoreOptions options) {
    Breaker breaker = new Breaker(3, BREAKER_OPEN_NANOS, System::nanoTime);
    // a connection made late closes the breaker: the next decision goes to Redis, no probe wait
    return new RedisStore(options, RedisConnection.open(options, breaker::success), breaker);
  }

  /**
   * Whether decisions are made by {@code on-failure} now rather than by Redis: no connection made
   * yet, or the breaker open after calls failed.
   */
  public boolean degraded() {
    return connection.commands() == null || breaker.isOpen();
  }

  /** Whether a connection to Redis has been made (it may have been lost since: see {@link #stats()}). */
  public boolean connected() {
    return connection.commands() != null;
  }

  public RedisStoreOptions options() {
    return options;
  }

  /** Counts of what happened, for metrics. */
  public RedisStats stats() {
    return stats;
  }

  /** {@link #acquireAsync}, waited for: at most the timeout (Lettuce's command timeout ends the call). */
  @Override
  public boolean acquire(Batch b) {
    return acquireAsync(b).join();
  }

  @Override
  public CompletableFuture<Boolean> acquireAsync(Batch b) {
    long now = b.now();
    byte[][] keys = script.baseKeys(b);
    if (refusedLocally(b, keys, now)) {
      stats.cachedRefusals.increment();
      return CompletableFuture.completedFuture(false);
    }
    String lease = leaseFor(b);
    return callAsync(Script.ACQUIRE, b, keys, lease)
        .thenApply(out -> out == null ? fallbackAcquire(b) : accept(b, keys, lease, out, now));
  }

  /** A lease id when the batch takes concurrency slots: it names the slots this acquire takes. */
  private String leaseFor(Batch b) {
    for (int i = 0; i < b.size(); i++) {
      if (b.spec(i).algorithm() == Algorithm.CONCURRENCY) {
        return leasePrefix + Long.toHexString(leases.incrementAndGet());
      }
    }
    return null;
  }

  /** Writes Redis's answer into the batch, with tokens for release, and remembers refused keys. */
  private boolean accept(Batch b, byte[][] keys, String lease, long[] out, long now) {
    long serverNow = out[0];
    boolean acquired = out[1] == 1;
    Script.write(b, out, now - serverNow);
    for (int i = 0; i < b.size(); i++) {
      LimitSpec s = b.spec(i);
      if (acquired) {
        b.token(i, new Script.Token(keys[i], serverNow, s.algorithm() == Algorithm.CONCURRENCY ? lease : null));
      } else if (!b.fits(i) && !s.shadow() && s.algorithm() != Algorithm.CONCURRENCY) {
        refusals.put(keys[i], new RefusalCache.Refusal(now + b.retryAfter(i), b.cost(i), b.remaining(i), b.resetAt(i)), now);
      }
    }
    return acquired;
  }

  /**
   * Gives back without waiting for Redis's answer (nobody needs it): the call is sent on the same
   * connection as every later call of this store, so Redis runs it before them.
   */
  @Override
  public void release(Batch b) {
    if (b.size() == 0 || b.token(0) == null) {
      return; // admitted by on-failure: allow (or refused): nothing was taken, nothing to give back
    }
    if (!(b.token(0) instanceof Script.Token)) {
      local.release(b); // taken from the local store while Redis was away
      return;
    }
    byte[][] keys = new byte[b.size()][];
    String lease = null;
    for (int i = 0; i < keys.length; i++) {
      Script.Token t = (Script.Token) b.token(i);
      keys[i] = t.counterKey(b.spec(i));
      lease = t.lease == null ? lease : t.lease;
      refusals.forget(t.base);
    }
    callAsync(Script.RELEASE, b, keys, lease).thenAccept(out -> {
      if (out == null) {
        stats.lostReleases.increment(); // leases expire after lease-ttl; window units stay taken
      }
    });
  }

  /**
   * Forgets the entries' counters in Redis (and the local store's, and the refusal cache's), waiting
   * at most the timeout.
   *
   * @throws IllegalStateException when Redis did not answer: nothing is known to be reset
   */
  @Override
  public void reset(Batch b) {
    if (b.size() == 0) {
      return;
    }
    byte[][] keys = script.baseKeys(b);
    for (byte[] k : keys) {
      refusals.forget(k);
    }
    local.reset(b);
    long[] out = callAsync(Script.RESET, b, keys, null).join();
    if (out == null) {
      throw new IllegalStateException("Redis at " + RedisStoreOptions.redacted(options.uri())
          + " did not answer the reset: " + (stats.lastError == null ? "no answer in time" : stats.lastError));
    }
  }

  /**
   * Scans the keys of {@code spec}'s counters ({@code SCAN MATCH}, then one {@code MGET} per page),
   * waiting at most the timeout per call: O(keys in Redis), for an operator, not for decisions.
   *
   * @throws IllegalStateException when Redis did not answer
   */
  @Override
  public List<Emptied> emptied(LimitSpec spec, long nowMillis, int max) {
    if (spec.algorithm() != Algorithm.TOKEN_BUCKET) {
      throw new IllegalArgumentException("not a token bucket: " + spec);
    }
    RedisClusterAsyncCommands<byte[], byte[]> redis = connection.commands();
    if (redis == null) {
      throw new IllegalStateException("not connected to Redis at " + RedisStoreOptions.redacted(options.uri()) + " yet");
    }
    byte[] head = script.head(spec);
    byte[] pattern = Script.globEscaped(head);
    long nowMicros = nowMillis * 1000;
    List<Emptied> out = new ArrayList<>();
    ScanCursor cursor = ScanCursor.INITIAL;
    try {
      do {
        KeyScanCursor<byte[]> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000))
            .get(options.timeout().toMillis() * 20, TimeUnit.MILLISECONDS);
        List<byte[]> keys = page.getKeys();
        if (!keys.isEmpty()) {
          List<KeyValue<byte[], byte[]>> tats = redis.mget(keys.toArray(new byte[0][]))
              .get(options.timeout().toMillis() * 20, TimeUnit.MILLISECONDS);
          for (KeyValue<byte[], byte[]> kv : tats) {
            if (kv.hasValue() && out.size() < max) {
              long tat = Long.parseLong(new String(kv.getValue(), StandardCharsets.US_ASCII));
              if (tat > nowMicros) {
                out.add(new Emptied(Arrays.copyOfRange(kv.getKey(), head.length, kv.getKey().length),
                    -Math.floorDiv(-tat, 1000)));
              }
            }
          }
        }
        cursor = page;
      } while (!cursor.isFinished() && out.size() < max);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scanning Redis", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Redis at " + RedisStoreOptions.redacted(options.uri())
          + " did not answer the scan: " + rootMessage(e), e);
    }
    return out;
  }

  @Override
  public void peek(Batch b) {
    long[] out = callAsync(Script.PEEK, b, script.baseKeys(b), null).join();
    if (out == null) {
      if (options.onFailure() == RedisStoreOptions.OnFailure.LOCAL) {
        local.peek(b);
      } else {
        unknown(b, options.onFailure() == RedisStoreOptions.OnFailure.ALLOW);
      }
      return;
    }
    Script.write(b, out, b.now() - out[0]);
  }

  /**
   * One script call, {@code EVALSHA} and {@code EVAL} again on {@code NOSCRIPT}: completes (never
   * exceptionally) with the answer, or with {@code null} once the timeout has passed (Lettuce's
   * command timeout), on a failure, or at once when the breaker is open.
   */
  private CompletableFuture<long[]> callAsync(byte[] op, Batch b, byte[][] keys, String lease) {
    if (!breaker.allow()) {
      stats.skipped.increment();
      return CompletableFuture.completedFuture(null);
    }
    byte[][] args = script.args(op, b, lease);
    stats.calls.increment();
    return calls.call(keys, args).handle((out, e) -> e == null ? answered(out) : failed(unwrap(e)));
  }

  /** One script call on the wire (for the {@link Coalescer}): EVALSHA, and EVAL again on NOSCRIPT. */
  private CompletableFuture<byte[]> send(byte[][] keys, byte[][] args) {
    RedisClusterAsyncCommands<byte[], byte[]> redis = connection.commands();
    if (redis == null) {
      return RedisConnection.notConnected(options.uri());
    }
    stats.roundTrips.increment();
    return redis.<byte[]>evalsha(Script.SHA, ScriptOutputType.VALUE, keys, args).toCompletableFuture()
        .exceptionallyCompose(e -> {
          if (!(unwrap(e) instanceof RedisNoScriptException)) {
            return CompletableFuture.failedFuture(e);
          }
          stats.scriptLoads.increment(); // a new or restarted Redis: EVAL sends the script and caches it
          return redis.<byte[]>eval(Script.TEXT, ScriptOutputType.VALUE, keys, args).toCompletableFuture();
        });
  }

  private long[] answered(byte[] out) {
    if (breaker.success()) {
      log.info("Redis at {} answers again: decisions come from it", RedisStoreOptions.redacted(options.uri()));
    }
    stats.answered.increment();
    return Script.longs(out);
  }

  private long[] failed(Throwable e) {
    if (e instanceof RedisCommandTimeoutException) {
      stats.timeouts.increment();
    } else {
      stats.errors.increment();
      stats.lastError = rootMessage(e);
    }
    if (breaker.failure()) {
      stats.breakerOpened.increment();
      if (connection.commands() == null) {
        return null; // never connected: the start's warning said so, and the connection is being tried
      }
      log.warn("Redis at {} does not answer ({}): deciding by on-failure {} until it does",
          RedisStoreOptions.redacted(options.uri()), e instanceof RedisCommandTimeoutException
              ? "no answer within " + options.timeout().toMillis() + "ms" : rootMessage(e),
          options.onFailure().name().toLowerCase(java.util.Locale.ROOT));
    }
    return null;
  }

  private static Throwable unwrap(Throwable e) {
    Throwable c = e;
    while ((c instanceof java.util.concurrent.CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private boolean refusedLocally(Batch b, byte[][] keys, long now) {
    int n = b.size();
    for (int i = 0; i < n; i++) {
      LimitSpec s = b.spec(i);
      if (s.shadow() || s.algorithm() == Algorithm.CONCURRENCY) {
        continue;
      }
      RefusalCache.Refusal r = refusals.get(keys[i], b.cost(i), now);
      if (r != null) {
        for (int j = 0; j < n; j++) { // the others were not read: reported as if untouched
          LimitSpec o = b.spec(j);
          b.result(j, true, o.limit(), now, 0);
        }
        b.result(i, false, r.remaining, r.resetAt, r.until - now);
        return true;
      }
    }
    return false;
  }

  private boolean fallbackAcquire(Batch b) {
    stats.fallbacks.increment();
    switch (options.onFailure()) {
      case LOCAL:
        return local.acquire(b);
      case ALLOW:
        unknown(b, true);
        return true;
      default:
        unknown(b, false);
        return false;
    }
  }

  /** Results when Redis could not be asked: everything fits (allow) or nothing does (deny), retry in 1 s. */
  private static void unknown(Batch b, boolean fits) {
    long now = b.now();
    for (int i = 0; i < b.size(); i++) {
      LimitSpec s = b.spec(i);
      boolean f = fits || s.shadow();
      b.result(i, f, f ? s.limit() : 0, now + 1000, f ? 0 : 1000);
      b.token(i, null);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      calls.close();
      local.close();
    }
  }

  private static String rootMessage(Throwable e) {
    return RedisConnection.rootMessage(e);
  }
}
