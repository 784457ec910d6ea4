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
 * <p>And only while the bucket's allowance lasts: how many may go before the server is heard from
 * again. It is the fewest remaining any answer said since it was renewed, less the bucket's other
 * requests in flight (the server may count them after the one that said it), worked out again at
 * every answer (each is one fewer in flight). An answer saying more remain was counted earlier and
 * overtaken on the way back, or is from the next window, which waits for the lapse. The allowance
 * lapses at the earliest reset those answers gave (each is never early; a reset in whole seconds is
 * late by however far into the window its answer came), or at the end of a pause, and is then the
 * last known quota ({@code q}, {@code X-RateLimit-Limit}, the declared count) less what is in
 * flight; with no quota known, one request (a probe that teaches the limit), or no bound with
 * {@code probeFirst} off. A bucket that has heard nothing yet starts with that probe. While no
 * answer ever said what remains, an answer that says nothing lifts the bound (there is nothing to
 * keep to), or, with adaptive pacing before its first refusal, allows two more (slow start: twice as
 * many each round trip). With nothing in flight and no lapse ahead, an allowance of 0 becomes one
 * probe: nothing else would ever wake the queue. With adaptive pacing on, {@link AdaptiveRate}
 * spaces the sends as well.
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

  /** How a bucket keeps to its server: what the client was built with for it. */
  record Rules(DeclaredLimit declared, Integer cap, int queueLimit, boolean spread, boolean probeFirst,
      boolean adaptive) {}

  /** An answer to a request of another bucket (or of none): which of this bucket's sends it follows is unknown. */
  static final long UNKNOWN_SEND = 0;

  /** A request waiting for its turn; {@code turn} completes when it may be sent, a slot held. */
  static final class Waiter {
    final int priority;
    final long seq;
    final long enteredAt;
    final CompletableFuture<Void> turn = new CompletableFuture<>();
    long sentAt;
    long sendNumber; // this bucket's sends counted up to and including this one

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
  private final boolean probeFirst;
  private final AdaptiveRate adaptive; // null: off
  private final PriorityQueue<Waiter> queue = new PriorityQueue<>(ORDER);
  private int next;
  private int filled;
  private int inFlight;
  private long pausedUntil;
  private long spacing; // ms between sends when spreading
  private long lastSent;
  private long timerAt = Long.MAX_VALUE; // when the pending timer fires; MAX_VALUE: none
  private ServerLimit last;
  private long allowance; // sends left before the server is heard from again; MAX_VALUE: no bound
  private long allowanceUntil = Long.MAX_VALUE; // when the allowance lapses (epoch ms); MAX_VALUE: never
  private long quota; // the last known quota; 0: unknown
  private long learned = Long.MAX_VALUE; // the fewest remaining an answer stated since the allowance was renewed
  private long windowReset = Long.MAX_VALUE; // the earliest reset those answers gave (each is never early)
  private long sends; // sends so far
  private boolean stated; // whether any answer stated what remains

  Bucket(String name, Clock clock, Sleeper sleeper, Rules rules) {
    this.name = name;
    this.clock = clock;
    this.sleeper = sleeper;
    this.declared = rules.declared();
    this.sent = declared == null ? new long[0] : new long[(int) declared.count()];
    this.cap = rules.cap() == null ? Integer.MAX_VALUE : rules.cap();
    this.queueLimit = rules.queueLimit();
    this.spread = rules.spread();
    this.probeFirst = rules.probeFirst();
    this.adaptive = rules.adaptive() ? new AdaptiveRate() : null;
    this.quota = declared == null ? 0 : declared.count();
    this.allowance = probeFirst ? 1 : Long.MAX_VALUE;
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

  /**
   * The earliest a request may go: pause, declared limit, spreading, adaptive pace and a lapsing
   * allowance considered; slots, and an allowance that waits for an answer, not.
   */
  private long readyAt(long now) {
    long at = Math.max(now, pausedUntil);
    if (declared != null && filled == sent.length) {
      at = Math.max(at, sent[next] + declared.window().toMillis());
    }
    if (spread && spacing > 0) {
      at = Math.max(at, lastSent + spacing);
    }
    if (allowance == 0 && allowanceUntil != Long.MAX_VALUE) {
      at = Math.max(at, allowanceUntil);
    }
    if (adaptive != null) {
      at = Math.max(at, adaptive.readyAt(at));
    }
    return at;
  }

  /** The allowance after a lapse, or a probe when nothing else would ever wake the queue. */
  private void renew(long now) {
    if (now >= allowanceUntil) {
      allowanceUntil = Long.MAX_VALUE;
      learned = Long.MAX_VALUE;
      windowReset = Long.MAX_VALUE;
      allowance = quota > 0 ? Math.max(0, quota - inFlight) : probeFirst ? 1 : Long.MAX_VALUE;
    }
    if (allowance == 0 && inFlight == 0 && allowanceUntil == Long.MAX_VALUE) {
      allowance = 1;
    }
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
        renew(now);
        long at = readyAt(now);
        if (at > now) {
          if (at < timerAt) {
            timerAt = at;
            wakeAt = at;
          }
          break;
        }
        if (allowance == 0) {
          break; // an answer in flight will tell how many may go
        }
        queue.poll();
        inFlight++;
        head.sentAt = now;
        head.sendNumber = ++sends;
        lastSent = now;
        if (allowance != Long.MAX_VALUE) {
          allowance--;
        }
        if (adaptive != null) {
          adaptive.sent(now);
        }
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

  /**
   * Nothing goes before the window's reset, which an answer saying nothing remains put at
   * {@code resetAt}: the earliest reset this window's answers gave, if earlier. A reset in whole
   * seconds ({@code t=1}) is late by however far into the window the answer came, and never early,
   * so the earliest is the closest (the one that came first after the window began).
   */
  void pauseUntilReset(Instant resetAt) {
    long at;
    synchronized (this) {
      at = Math.min(resetAt.toEpochMilli(), windowReset);
    }
    pauseUntil(Instant.ofEpochMilli(at));
  }

  /** Nothing goes before {@code t}; then the allowance is renewed (the quota, or a probe). */
  void pauseUntil(Instant t) {
    synchronized (this) {
      pausedUntil = Math.max(pausedUntil, t.toEpochMilli());
      allowance = 0;
      allowanceUntil = pausedUntil;
      learned = 0;
    }
  }

  /**
   * What the answer to send {@code sendNumber} ({@link #UNKNOWN_SEND} when it was another bucket's)
   * said: kept for the snapshot; its quota and what remains set the allowance; with spreading, what
   * remains until the reset sets the spacing of the next sends; with adaptive pacing, whether it was
   * a refusal moves the pace.
   */
  void learn(ServerLimit limit, Instant now, long sendNumber, boolean refused) {
    long at = now.toEpochMilli();
    synchronized (this) {
      last = limit;
      if (spread && limit.remaining().isPresent() && limit.resetAt().isPresent()) {
        long remaining = limit.remaining().getAsLong();
        long until = limit.resetAt().get().toEpochMilli() - at;
        spacing = remaining > 0 && until > 0 ? until / (remaining + 1) : 0;
      }
      if (limit.limit().isPresent() && limit.limit().getAsLong() > 0) {
        quota = limit.limit().getAsLong();
      }
      long resetAt = limit.resetAt().map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
      renew(at);
      if (limit.remaining().isPresent()) {
        stated = true;
        long remaining = limit.remaining().getAsLong();
        if (resetAt > at && (allowanceUntil == Long.MAX_VALUE || remaining <= learned)) {
          learned = remaining;
          windowReset = Math.min(windowReset, resetAt);
          allowanceUntil = windowReset;
        }
      } else if (!stated && !refused) { // the server says nothing to keep to
        allowanceUntil = Long.MAX_VALUE;
        allowance = adaptive == null || adaptive.started() || !probeFirst ? Long.MAX_VALUE
            : allowance >= Long.MAX_VALUE - 2 ? Long.MAX_VALUE : allowance + 2; // slow start: twice as many each round trip
      }
      if (stated && learned != Long.MAX_VALUE) {
        // Every answer, taken or not, is one fewer in flight: the fewest remaining, less those still
        // out (any of them may be counted after the one that said it), is what may go.
        long others = sendNumber == UNKNOWN_SEND ? inFlight : inFlight - 1; // this one is still counted in flight
        allowance = Math.max(0, learned - others);
      }
      if (adaptive != null) {
        adaptive.answered(refused, at, sendNumber);
        if (refused && !stated && allowanceUntil == Long.MAX_VALUE) {
          allowance = Long.MAX_VALUE; // the pace rules from now on
        }
      }
    }
  }

  synchronized BucketState state() {
    int waiting = (int) queue.stream().filter(w -> !w.turn.isDone()).count(); // given-up ones leave at the next pump
    return new BucketState(Instant.ofEpochMilli(pausedUntil), last, waiting, inFlight,
        Duration.ofMillis(spacing), allowance, adaptive == null ? 0 : adaptive.rate());
  }
}
