package io.tollgate.core.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where counters live: the memory of one JVM ({@code MemoryStore}) or a Redis shared by many gateway
 * nodes. Every method takes a whole {@link Batch}, one decision's counters, so that a remote store
 * needs one round trip per decision.
 *
 * <p>Implementations are thread-safe.
 */
public interface CounterStore extends AutoCloseable {

  /**
   * Checks every entry and, only if every enforced entry's cost fits, consumes all of them (shadow
   * entries included); otherwise consumes nothing. Atomic with respect to every other call on the
   * same counters. Always writes every entry's result.
   *
   * @return whether the costs were consumed
   */
  boolean acquire(Batch batch);

  /**
   * {@link #acquire}, completing when the store has answered, without holding the calling thread
   * (a remote store). The batch belongs to this call until the future completes: the caller must
   * not touch it before, and the store writes every entry's result before completing. The default
   * runs {@link #acquire} on the calling thread.
   */
  default CompletableFuture<Boolean> acquireAsync(Batch batch) {
    return CompletableFuture.completedFuture(acquire(batch));
  }

  /**
   * Gives back each entry's cost, taken by an earlier successful {@code acquire} at {@code batch.now()}:
   * units of a response that does not count, or a concurrency slot. Entries carry the token the
   * store attached in {@code acquire}, and may have no key. Giving back never goes below zero, and
   * units of a window that has since ended are not given back.
   */
  void release(Batch batch);

  /** Writes every entry's result as {@code acquire} would, consuming nothing and creating no counter. */
  void peek(Batch batch);

  /**
   * Forgets every entry's counter, so that its key starts afresh (an operator's reset, a ban
   * lifted): the current and previous window of a window counter, a token bucket's state, a
   * concurrency limit's slots. Results are not written. Decisions that took from a counter before
   * settle against nothing.
   */
  void reset(Batch batch);

  /**
   * The token buckets of {@code spec} that are empty at {@code nowMillis} (they would refuse a cost
   * of 1), at most {@code max}: who is held back, for an operator (the active bans). May read every
   * counter of the store: not for decisions.
   *
   * @throws IllegalArgumentException when {@code spec} is not a token bucket
   */
  List<Emptied> emptied(LimitSpec spec, long nowMillis, int max);

  /**
   * One empty bucket.
   *
   * @param keyParts its key's parts as {@link Batch#keyPart} wrote them (after the spec's id)
   * @param untilMillis when it has room again
   */
  record Emptied(byte[] keyParts, long untilMillis) {}

  @Override
  default void close() {}
}
