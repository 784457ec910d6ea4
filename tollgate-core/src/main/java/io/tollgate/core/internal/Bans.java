package io.tollgate.core.internal;

import io.tollgate.core.Algorithm;
import io.tollgate.core.Ban;
import io.tollgate.core.Decision;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.Refusal;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.Route;
import io.tollgate.core.store.Batch;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.LimitSpec;
import java.util.List;

/**
 * The ban rule on a store: refusals are counted per ban key in a fixed window of {@code within};
 * the refusal that reaches {@code after} takes the ban's one-unit token bucket, whose refill time is
 * the ban's length, so "banned" is "that bucket is empty" and expires by itself on every store.
 * Immutable.
 */
final class Bans {

  private static final Results.Factory MAKE = Results.factory();

  private final KeyPart[][] key;
  private final LimitSpec refusals;
  private final LimitSpec ban;
  private final Refusal refusal;
  private final Limit reported; // what a banned caller is told: the ban's length and its end

  /**
   * The rule's two counters mean the refusals counted within {@code within} and the ban of
   * {@code for}, per key: a reload that keeps those keeps the counts and the bans.
   */
  Bans(Ban rule) {
    this.key = CompiledPolicy.chains(rule.key());
    String keyText = CompiledLimit.keyText(rule.key());
    this.refusals = new LimitSpec("ban-refusals/" + rule.within().toMillis() + "ms/" + keyText, "ban-refusals",
        Algorithm.FIXED_WINDOW, rule.after(), rule.within().toMillis(), rule.after(), false);
    this.ban = new LimitSpec("ban/" + rule.duration().toMillis() + "ms/" + keyText, "ban", Algorithm.TOKEN_BUCKET, 1,
        rule.duration().toMillis(), 1, false);
    this.reported = Limit.builder("ban").limit(rule.after()).window(rule.durationText()).build();
    this.refusal = Refusal.empty().withStatus(rule.status()).withHeaders(List.of(HeaderSet.RETRY_AFTER))
        .withContentType(rule.contentType()).withBody(rule.body());
  }

  /** The BANNED decision when the request's caller is banned, else {@code null}. Reads the store. */
  Decision banned(RequestInfo request, Scratch s, long now, CounterStore store) {
    Batch batch = s.batch.clear(now);
    batch.beginEntry(ban, 1);
    s.matched(null);
    Keys.write(batch, key, request, Route.DEFAULT, s, s.tenant.reset());
    batch.endEntry();
    store.peek(batch);
    if (batch.fits(0)) {
      return null;
    }
    long[] values = {0, batch.resetAt(0), batch.retryAfter(0), 0};
    return MAKE.decision(Decision.Outcome.BANNED, null, null, new Limit[] {reported}, values, 0, refusal, null);
  }

  /** Forgets the ban of the request's caller and the refusals counted toward it. */
  void lift(RequestInfo request, Scratch s, long now, CounterStore store) {
    Batch batch = s.batch.clear(now);
    s.matched(null);
    Scratch.TenantCache tenant = s.tenant.reset();
    for (LimitSpec spec : new LimitSpec[] {ban, refusals}) {
      batch.beginEntry(spec, 1);
      Keys.write(batch, key, request, Route.DEFAULT, s, tenant);
      batch.endEntry();
    }
    store.reset(batch);
  }

  /** The bans in effect at {@code now}, their keys decoded. */
  List<RateLimiter.ActiveBan> active(CounterStore store, long now, int max) {
    List<RateLimiter.ActiveBan> out = new java.util.ArrayList<>();
    for (CounterStore.Emptied e : store.emptied(ban, now, max)) {
      out.add(new RateLimiter.ActiveBan(Keys.decode(key, e.keyParts()), e.untilMillis() - ban.windowMillis(),
          e.untilMillis()));
    }
    return out;
  }

  /** Counts a refusal of the request's caller; the one that reaches the rule's count bans it. */
  void countRefusal(RequestInfo request, Scratch s, long now, String routeName, CounterStore store,
      io.tollgate.core.BanListener listener) {
    if (!refusalCounted(store.acquire(batchOf(refusals, request, s, now, routeName)), s)) {
      tookBan(store.acquire(batchOf(ban, request, s, now, routeName)), request, s, now, routeName, listener);
    }
  }

  /** {@link #countRefusal} with the store's asynchronous API: no call blocks. */
  java.util.concurrent.CompletableFuture<Void> countRefusalAsync(RequestInfo request, Scratch s, long now,
      String routeName, CounterStore store, io.tollgate.core.BanListener listener) {
    return store.acquireAsync(batchOf(refusals, request, s, now, routeName)).thenCompose(counted -> {
      if (refusalCounted(counted, s)) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }
      return store.acquireAsync(batchOf(ban, request, s, now, routeName))
          .thenAccept(took -> tookBan(took, request, s, now, routeName, listener));
    });
  }

  /** The scratch batch, cleared, holding one unit of {@code spec} for the request's caller. */
  private Batch batchOf(LimitSpec spec, RequestInfo request, Scratch s, long now, String routeName) {
    Batch batch = s.batch.clear(now);
    batch.beginEntry(spec, 1);
    Keys.write(batch, key, request, routeName, s, s.tenant);
    batch.endEntry();
    return batch;
  }

  /** Whether the refusal was counted with room to spare (no ban yet). */
  private static boolean refusalCounted(boolean counted, Scratch s) {
    return counted && s.batch.remaining(0) != 0;
  }


  private void tookBan(boolean took, RequestInfo request, Scratch s, long now, String routeName,
      io.tollgate.core.BanListener listener) {
    if (took && listener != null) { // this refusal took the ban's one token: it starts now
      listener.banned(Keys.describe(key, request, routeName, s, s.tenant), now + ban.windowMillis());
    }
  }
}
