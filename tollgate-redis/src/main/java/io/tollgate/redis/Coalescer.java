package io.tollgate.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sends the store's script calls, several as one when they queue up: at most {@code maxInFlight}
 * calls are on the wire; a decision that comes while they are waits, and when one returns,
 * everything waiting (up to {@code maxBatch}) goes as one call (decide.lua's {@code 'm'}), run by
 * Redis one after another as separate calls would be. Alone, a decision goes at once, as it is;
 * under load, one round trip and one script invocation carry many ("natural batching", as group
 * commit in databases): Redis's per-call cost and Lettuce's per-command cost are paid once per
 * batch, which is what bounds throughput on a local Redis.
 *
 * <p>Calls leave in the order they came, on one connection, so a release sent before an acquire is
 * run before it: a caller sends its own call when there is room, and the batches that waited are
 * sent, in order, by one thread of the coalescer's. When a call fails (a timeout, a lost
 * connection), the calls waiting behind it fail with it at once: on a hung Redis no decision waits
 * longer than {@code redis.timeout}, except one that queued behind a call answered just before Redis
 * hung, which can wait for that answer and then its own timeout.
 *
 * <p>Thread-safe: the queue and the count in flight are guarded by {@code this}; sends and
 * completions happen outside the lock. {@link #close} stops the forwarding thread.
 */
final class Coalescer {

  /** Sends one script call; the future completes with the reply or exceptionally. */
  interface Sender {
    CompletableFuture<byte[]> send(byte[][] keys, byte[][] args);
  }

  private static final byte[] MANY = {'m'};

  private static final class Call {
    final byte[][] keys;
    final byte[][] args; // decide.lua's arguments for this call alone: op, now, lease ttl, lease, entries
    final CompletableFuture<byte[]> answer = new CompletableFuture<>();

    Call(byte[][] keys, byte[][] args) {
      this.keys = keys;
      this.args = args;
    }
  }

  private final Sender sender;
  private final int maxInFlight;
  private final int maxBatch;
  private final boolean localClock;
  private final ArrayDeque<Call> queue = new ArrayDeque<>();
  private final ExecutorService forwarder = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "tollgate-redis-forwarder");
    t.setDaemon(true);
    return t;
  });
  private int inFlight;

  /** {@code localClock}: the calls carry the node's time, and a batch takes its first call's. */
  Coalescer(Sender sender, int maxInFlight, int maxBatch, boolean localClock) {
    this.sender = sender;
    this.maxInFlight = maxInFlight;
    this.maxBatch = maxBatch;
    this.localClock = localClock;
  }

  /** Completes with this call's own answer (a batch's part of it), or exceptionally as the call failed. */
  CompletableFuture<byte[]> call(byte[][] keys, byte[][] args) {
    Call c = new Call(keys, args);
    List<Call> batch = null;
    synchronized (this) {
      queue.add(c);
      if (inFlight < maxInFlight) {
        inFlight++;
        batch = drain();
      }
    }
    if (batch != null) {
      send(batch);
    }
    return c.answer;
  }

  /**
   * Stops the forwarding thread once the batches handed to it are sent: on the closed connection
   * they fail at once, and the calls queued behind them fail with them, so no caller waits forever.
   */
  void close() {
    forwarder.shutdown();
  }

  private List<Call> drain() {
    List<Call> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (!queue.isEmpty() && batch.size() < maxBatch) {
      batch.add(queue.poll());
    }
    return batch;
  }

  private void send(List<Call> batch) {
    CompletableFuture<byte[]> reply;
    try {
      reply = batch.size() == 1 ? sender.send(batch.get(0).keys, batch.get(0).args) : sendMany(batch);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    reply.whenComplete((out, error) -> {
      answer(batch, out, error);
      List<Call> next;
      List<Call> failedToo = null;
      synchronized (this) {
        if (error != null && !queue.isEmpty()) { // a Redis that did not answer this would not answer them
          failedToo = new ArrayList<>(queue);
          queue.clear();
        }
        next = queue.isEmpty() ? null : drain();
        if (next == null) {
          inFlight--;
        }
      }
      if (failedToo != null) {
        answer(failedToo, null, error);
      }
      if (next != null) {
        // Not from here: this is Lettuce's I/O thread, whose writes go out at once, ahead of writes
        // other threads have queued to it (a release sent just before these calls would come after
        // them). One thread of our own queues the batch behind those, and keeps batches in order.
        try {
          forwarder.execute(() -> send(next));
        } catch (RejectedExecutionException closed) {
          send(next); // the store is closed: on the closed connection they fail at once
        }
      }
    });
  }

  private CompletableFuture<byte[]> sendMany(List<Call> batch) {
    int keyCount = 0;
    int argCount = 4;
    for (Call c : batch) {
      keyCount += c.keys.length;
      argCount += 3 + c.args.length - 4;
    }
    byte[][] keys = new byte[keyCount][];
    byte[][] args = new byte[argCount][];
    Call first = batch.get(0);
    args[0] = MANY;
    args[1] = localClock ? first.args[1] : Script.NO_TIME;
    args[2] = first.args[2];
    args[3] = Script.ascii(batch.size());
    int k = 0;
    int a = 4;
    for (Call c : batch) {
      System.arraycopy(c.keys, 0, keys, k, c.keys.length);
      k += c.keys.length;
      int entries = c.args.length - 4;
      args[a++] = c.args[0];
      args[a++] = c.args[3];
      args[a++] = Script.ascii(entries);
      System.arraycopy(c.args, 4, args, a, entries);
      a += entries;
    }
    return sender.send(keys, args);
  }

  /** Each call's part of the reply (a batch's are joined by ';'), or the failure for all. */
  private static void answer(List<Call> batch, byte[] out, Throwable error) {
    if (error != null) {
      for (Call c : batch) {
        c.answer.completeExceptionally(error);
      }
      return;
    }
    if (batch.size() == 1) {
      batch.get(0).answer.complete(out);
      return;
    }
    int from = 0;
    for (Call c : batch) {
      int to = from;
      while (to < out.length && out[to] != ';') {
        to++;
      }
      c.answer.complete(Arrays.copyOfRange(out, from, to));
      from = to + 1;
    }
  }
}
