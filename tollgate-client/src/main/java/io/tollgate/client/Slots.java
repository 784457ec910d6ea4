package io.tollgate.client;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;

/**
 * At most {@code n} requests of a bucket in flight (the seeds' "10 concurrent jobs"), for blocking
 * and asynchronous callers alike: a slot is taken before sending and given back when the response
 * is in; callers beyond {@code n} wait in arrival order, the asynchronous ones without a thread.
 * Thread-safe.
 */
final class Slots {

  private final int capacity;
  private int inUse;
  private final Queue<CompletableFuture<Void>> waiting = new ArrayDeque<>();

  Slots(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a concurrency cap must be >= 1 (was " + capacity + ")");
    }
    this.capacity = capacity;
  }

  /** Completes when a slot is this caller's. */
  CompletableFuture<Void> take() {
    synchronized (this) {
      if (inUse < capacity) {
        inUse++;
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> turn = new CompletableFuture<>();
      waiting.add(turn);
      return turn;
    }
  }

  /** Gives a slot back: to the first caller waiting, if any. */
  void give() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        inUse--;
        return;
      }
    }
    next.complete(null); // the slot passes on; completed outside the lock
  }

  synchronized int inUse() {
    return inUse;
  }
}
