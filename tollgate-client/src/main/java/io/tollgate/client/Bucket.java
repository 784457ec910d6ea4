package io.tollgate.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/**
 * One server limit as the client keeps to it: the requests waiting to be sent, and what decides
 * when the next may go.
 *
 * <p>The next request may go at the latest of: the end of a pause (the server said 0 remaining
 * until its reset, or refused), the declared limit's next free place (a sliding log of the last
 * {@code count} send times: never more than {@code count} in any {@code window}, so no server
 * window sees more, wherever it starts), and, with even spreading, the last send plus the reset's
 * distance divided by one more than what remains (the {@code r} left go at {@code t/(r+1)},
 * {@code 2t/(r+1)}, ..., the last a spacing before the reset, so it is still counted in this window,
 * and the window's first went at once). And only while fewer than {@code cap} are in flight.
 *
 * <p>Waiting requests form one queue: higher priority first, then arrival order (a retry keeps its
 * first place). {@link #pump} hands out turns while the head may go, and otherwise sets one timer
 * (through the {@link Sleeper}) for when it may; a response or a slot given back pumps again. At
 * most {@code queueLimit} wait; more are refused with {@link QueueFullException}, retries excepted
 * (they are work already accepted).
 *
 * <p>Thread-safe: every field below is guarded by {@code this}; turns are completed, and timers
 * set, outside the lock (a completed turn runs its caller's next step on this thread).
 */
final class Bucket {

  /** A request waiting for its turn; {@code turn} completes when it may be sent, a slot held. */
  static final class Waiter {
    final int priority;
    final long seq;
    final long enteredAt;
    final CompletableFuture<Void> turn = new CompletableFuture<>();
    long sentAt;

    Waiter(int priority, long seq, long enteredAt) {
      this.priority = priority;
      this.seq = seq;
      this.enteredAt = enteredAt;
    }
  }

  private static final Comparator<Waiter> ORDER =
      Comparator.<Waiter>comparingInt(w -> -w.priority).thenComparingLong(w -> w.seq);

  private final String name;
  private final Clock clock;
  private final Sleeper sleeper;
  private final DeclaredLimit declared; // null: none
  private final long[] sent; // the last `count` send times, epoch ms, as a ring
  private final int cap; // Integer.MAX_VALUE: no cap
  private final int queueLimit;
  private final boolean spread;
  private final PriorityQueue<Waiter> queue = new PriorityQueue<>(ORDER);
  private int next;
  private int filled;
  private int inFlight;
  private long pausedUntil;
  private long spacing; // ms between sends when spreading
  private long lastSent;
  private long timerAt = Long.MAX_VALUE; // when the pending timer fires; MAX_VALUE: none
  private ServerLimit last;

  Bucket(String name, Clock clock, Sleeper sleeper, DeclaredLimit declared, Integer cap, int queueLimit, boolean spread) {
    this.name = name;
    this.clock = clock;
    this.sleeper = sleeper;
    this.declared = declared;
    this.sent = declared == null ? new long[0] : new long[(int) declared.count()];
    this.cap = cap == null ? Integer.MAX_VALUE : cap;
    this.queueLimit = queueLimit;
    this.spread = spread;
  }

  String name() {
    return name;
  }

  /**
   * Queues a request; its {@code turn} completes when it may be sent. Fails at once when the
   * bucket cannot let anything go by {@code notAfter} (epoch ms) or within {@code maxWait}.
   */
  Waiter enter(int priority, long seq, boolean retry, Duration maxWait, long notAfter, String what)
      throws RetryLaterException, QueueFullException {
    Waiter w;
    synchronized (this) {
      long now = clock.millis();
      long at = readyAt(now);
      if (at - now > maxWait.toMillis()) {
        throw new RetryLaterException(what + " would wait " + (at - now) + " ms, more than the "
            + maxWait.toMillis() + " ms allowed", Instant.ofEpochMilli(at));
      }
      if (at > notAfter) {
        throw new RetryLaterException(what + " would wait past the call's deadline", Instant.ofEpochMilli(at));
      }
      if (!retry && queue.size() >= queueLimit) {
        queue.removeIf(x -> x.turn.isDone()); // requests given up leave, and make room
      }
      if (!retry && queue.size() >= queueLimit) {
        throw new QueueFullException(what + " refused without sending: bucket '" + name + "' already has "
            + queue.size() + " requests waiting (queueLimit " + queueLimit + ")");
      }
      w = new Waiter(priority, seq, now);
      queue.add(w);
    }
    pump();
    return w;
  }

  /** The earliest a request may go, pause, declared limit and spreading considered; slots not. */
  private long readyAt(long now) {
    long at = Math.max(now, pausedUntil);
    if (declared != null && filled == sent.length) {
      at = Math.max(at, sent[next] + declared.window().toMillis());
    }
    if (spread && spacing > 0) {
      at = Math.max(at, lastSent + spacing);
    }
    return at;
  }

  /** Hands out every turn that is due, and sets a timer for the next one that is not. */
  void pump() {
    List<Waiter> go = new ArrayList<>(1);
    long wakeAt = -1;
    long now;
    synchronized (this) {
      now = clock.millis();
      while (!queue.isEmpty() && inFlight < cap) {
        Waiter head = queue.peek();
        if (head.turn.isDone()) { // given up by its caller
          queue.poll();
          continue;
        }
        long at = readyAt(now);
        if (at > now) {
          if (at < timerAt) {
            timerAt = at;
            wakeAt = at;
          }
          break;
        }
        queue.poll();
        inFlight++;
        head.sentAt = now;
        lastSent = now;
        if (declared != null) {
          sent[next] = now;
          next = (next + 1) % sent.length;
          filled = Math.min(filled + 1, sent.length);
        }
        go.add(head);
      }
    }
    for (Waiter w : go) {
      if (!w.turn.complete(null)) {
        done(); // its caller gave up as the turn came: the slot goes to the next
      }
    }
    if (wakeAt >= 0) {
      long fireAt = wakeAt;
      sleeper.after(Duration.ofMillis(fireAt - now)).thenRun(() -> {
        synchronized (this) {
          if (timerAt == fireAt) {
            timerAt = Long.MAX_VALUE;
          }
        }
        pump();
      });
    }
  }

  /** A request's exchange is over: its slot is free. */
  void done() {
    synchronized (this) {
      inFlight--;
    }
    pump();
  }

  /** Nothing goes before {@code t}. */
  void pauseUntil(Instant t) {
    synchronized (this) {
      pausedUntil = Math.max(pausedUntil, t.toEpochMilli());
    }
  }

  /**
   * What a response said: kept for the snapshot; with spreading, what remains until the reset sets
   * the spacing of the next sends.
   */
  void learn(ServerLimit limit, Instant now) {
    synchronized (this) {
      last = limit;
      if (spread && limit.remaining().isPresent() && limit.resetAt().isPresent()) {
        long remaining = limit.remaining().getAsLong();
        long until = limit.resetAt().get().toEpochMilli() - now.toEpochMilli();
        spacing = remaining > 0 && until > 0 ? until / (remaining + 1) : 0;
      }
    }
  }

  synchronized TollgateClient.BucketState state() {
    int waiting = (int) queue.stream().filter(w -> !w.turn.isDone()).count(); // given-up ones leave at the next pump
    return new TollgateClient.BucketState(Instant.ofEpochMilli(pausedUntil), last, waiting, inFlight,
        Duration.ofMillis(spacing));
  }
}
