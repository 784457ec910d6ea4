package io.tollgate.spring;

import io.tollgate.core.Decision;
import io.tollgate.core.Explanation;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The {@link RateLimiter} bean: whatever limiter the policy in effect has, so that code holding the
 * bean decides with a reloaded policy too (the counters carry over: the store is the same).
 * Closing it does nothing; the store is closed with the {@link TollgatePolicy}.
 */
final class CurrentRateLimiter implements RateLimiter {

  private final Supplier<RateLimiter> current;

  CurrentRateLimiter(Supplier<RateLimiter> current) {
    this.current = current;
  }

  @Override
  public Decision decide(RequestInfo request) {
    return current.get().decide(request);
  }

  @Override
  public CompletableFuture<Decision> decideAsync(RequestInfo request) {
    return current.get().decideAsync(request);
  }

  @Override
  public Decision screen(RequestInfo request) {
    return current.get().screen(request);
  }

  @Override
  public Decision tryAcquire(String limitName, String key, long cost) {
    return current.get().tryAcquire(limitName, key, cost);
  }

  @Override
  public CompletableFuture<Decision> tryAcquireAsync(String limitName, String key, long cost) {
    return current.get().tryAcquireAsync(limitName, key, cost);
  }

  @Override
  public Decision tryAcquire(List<Acquire> acquires) {
    return current.get().tryAcquire(acquires);
  }

  @Override
  public CompletableFuture<Decision> tryAcquireAsync(List<Acquire> acquires) {
    return current.get().tryAcquireAsync(acquires);
  }

  @Override
  public List<LimitStatus> status(RequestInfo request) {
    return current.get().status(request);
  }

  @Override
  public Explanation explain(RequestInfo request) {
    return current.get().explain(request);
  }

  @Override
  public List<ResetCounter> reset(RequestInfo request, String limitName) {
    return current.get().reset(request, limitName);
  }

  @Override
  public boolean liftBan(RequestInfo request) {
    return current.get().liftBan(request);
  }

  @Override
  public List<ActiveBan> bans(int max) {
    return current.get().bans(max);
  }

  @Override
  public String keyText(String limitName, byte[] keyParts) {
    return current.get().keyText(limitName, keyParts);
  }

  @Override
  public Policy policy() {
    return current.get().policy();
  }

  @Override
  public void close() {
    // the store is the policy's to close
  }
}
