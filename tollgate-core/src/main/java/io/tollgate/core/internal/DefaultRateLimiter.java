package io.tollgate.core.internal;

import io.tollgate.core.Algorithm;
import io.tollgate.core.BanListener;
import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.DecisionListener;
import io.tollgate.core.Explanation;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.Refusal;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.UsageListener;
import io.tollgate.core.store.Batch;
import io.tollgate.core.store.CounterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The limiter: a decision assembled from the compiled policy. A request goes: deny list, ban
 * ({@link Bans}), route, allow list, the limits whose filters match ({@link CompiledLimit}), one key
 * per limit ({@link Keys}) written into a per-thread {@link Batch} ({@link Scratch}), one
 * {@link CounterStore#acquire} for all of them, then a {@link Decision}. Everything that can be worked
 * out from the policy alone is worked out once, in {@link CompiledPolicy}.
 */
public final class DefaultRateLimiter implements RateLimiter {

  private static final Results.Factory MAKE = Results.factory();

  private final CompiledPolicy compiled;
  private final Clock clock;
  private final CounterStore store;
  private final boolean ownsStore;
  private final DecisionListener listener; // null: none
  private final BanListener banListener; // null: none
  private final UsageListener usageListener; // null: none
  private final Bans bans; // null: no ban rule
  private final ThreadLocal<Scratch> scratch;

  /**
   * @param ownsStore whether {@link #close()} closes {@code store}
   * @param listener told of every decision, or {@code null}
   * @param banListener told when a ban starts, or {@code null}
   * @param usageListener told of the units each admitted decision took, or {@code null}
   */
  public DefaultRateLimiter(Policy policy, Clock clock, CounterStore store, boolean ownsStore,
      DecisionListener listener, BanListener banListener, UsageListener usageListener) {
    this.usageListener = usageListener;
    this.listener = listener;
    this.banListener = banListener;
    this.compiled = new CompiledPolicy(policy);
    this.clock = clock;
    this.store = store;
    this.ownsStore = ownsStore;
    this.bans = policy.ban() == null ? null : new Bans(policy.ban());
    CompiledPolicy c = compiled; // the scratches hold numbers of the policy, not the limiter
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(c.maxCaptures, c.limits.length, true, c.tenants));
  }

  @Override
  public Decision decide(RequestInfo request) {
    long start = listener == null ? 0 : System.nanoTime();
    Scratch s = scratch.get();
    long now = clock.epochMillis();
    Decision early = prepare(request, s, now);
    Decision d = early != null ? early : finish(request, s, now, store.acquire(s.batch));
    return told(d, start);
  }

  private Decision told(Decision d, long start) {
    if (listener != null) {
      listener.decided(d, System.nanoTime() - start);
    }
    return d;
  }

  @Override
  public CompletableFuture<Decision> decideAsync(RequestInfo request) {
    long start = listener == null ? 0 : System.nanoTime();
    Scratch s = newScratch(); // this decision's own: the store may complete it on another thread
    long now = clock.epochMillis();
    Decision early = prepare(request, s, now);
    if (early != null) {
      return CompletableFuture.completedFuture(told(early, start));
    }
    return store.acquireAsync(s.batch).thenCompose(admitted -> {
      Decision d = toDecision(s, s.batch, s.entries, admitted, s.routeName, s.matchedPatternText, true);
      if (admitted || bans == null) {
        return CompletableFuture.completedFuture(told(d, start));
      }
      // the refusal counts toward a ban through the store's asynchronous API too: nothing blocks
      return bans.countRefusalAsync(request, s, now, s.routeName, store, banListener).thenApply(v -> told(d, start));
    });
  }

  /**
   * Everything before the store: deny list, ban, route, allow list, and the batch of the limits that
   * apply. Returns the decision when one is already made, else {@code null} with {@code s.batch},
   * {@code s.entries} and {@code s.routeName} set for {@link #finish}.
   */
  private Decision prepare(RequestInfo request, Scratch s, long now) {
    String ip = request.clientIp();
    Decision screened = screen(request, s, now);
    if (screened != null) {
      return screened;
    }
    String path = request.path();
    Segments segments = s.segments.reset();
    String method = request.method();
    int route = compiled.matchRoute(method, path, segments, s);
    String routeName = compiled.routeName(route);
    if (compiled.allow.length > 0 && CompiledPolicy.inAny(compiled.allow, ip)) {
      return MAKE.unlimited(Decision.Outcome.ALLOWED, routeName);
    }
    Batch batch = s.batch.clear(now);
    Scratch.TenantCache tenant = s.tenant.reset();
    int n = 0;
    for (CompiledLimit l : compiled.limits) {
      if (!l.applies(route, method, path, segments, s.pathCaptures)) {
        continue;
      }
      CompiledLimit.Variant v = l.variantFor(tenant.tenant(request));
      batch.beginEntry(v.spec, v.cost);
      Keys.write(batch, l.key, request, routeName, s, tenant);
      batch.endEntry();
      if (s.variants[n] != v) { // scratch is long-lived: skip the GC write barrier when nothing changes
        s.variants[n] = v;
      }
      n++;
    }
    if (n == 0) {
      return MAKE.unlimited(Decision.Outcome.ALLOWED, routeName);
    }
    s.entries = n;
    if (s.routeName != routeName) {
      s.routeName = routeName;
    }
    return null;
  }

  private Decision finish(RequestInfo request, Scratch s, long now, boolean admitted) {
    Decision d = toDecision(s, s.batch, s.entries, admitted, s.routeName, s.matchedPatternText, true);
    if (!admitted && bans != null) {
      bans.countRefusal(request, s, now, s.routeName, store, banListener);
    }
    return d;
  }

  private Scratch newScratch() {
    return newScratch(compiled.limits.length);
  }

  /** A scratch of its own, room for {@code entries} entries. */
  private Scratch newScratch(int entries) {
    return new Scratch(compiled.maxCaptures, entries, false, compiled.tenants);
  }

  @Override
  public Decision screen(RequestInfo request) {
    Decision screened = screen(request, scratch.get(), clock.epochMillis());
    return screened != null ? screened : MAKE.unlimited(Decision.Outcome.ALLOWED, null);
  }

  /** The deny list and the ban: a decision if they settle it, else {@code null}. */
  private Decision screen(RequestInfo request, Scratch s, long now) {
    if (compiled.deny.length > 0 && CompiledPolicy.inAny(compiled.deny, request.clientIp())) {
      return MAKE.unlimited(Decision.Outcome.DENIED, null);
    }
    return bans == null ? null : bans.banned(request, s, now, store);
  }

  /** @param settleable whether the decision took its counts (false: an explanation, nothing to give back) */
  private Decision toDecision(Scratch s, Batch batch, int n, boolean admitted, String route, String pattern,
      boolean settleable) {
    CompiledLimit.Variant[] variants = s.variants;
    Limit[] limits = s.limitsOf(variants, n);
    long[] values = new long[4 * n];
    int reported = -1;
    boolean settle = false;
    for (int i = 0; i < n; i++) {
      CompiledLimit.Variant v = variants[i];
      values[4 * i] = batch.remaining(i);
      values[4 * i + 1] = batch.resetAt(i);
      values[4 * i + 2] = batch.retryAfter(i);
      values[4 * i + 3] = batch.fits(i) ? 1 : 0;
      settle |= v.settles; // shadow concurrency holds slots too
      if (v.spec.shadow()) {
        continue;
      }
      if (!admitted) {
        if (reported < 0 && !batch.fits(i)) {
          reported = i;
        }
      } else if (reported < 0 || batch.remaining(i) < values[4 * reported]) {
        reported = i;
      }
    }
    Refusal refusal = reported < 0 ? null : variants[reported].refusal;
    if (!admitted) {
      return MAKE.decision(Decision.Outcome.REFUSED, route, pattern, limits, values, reported, refusal, null);
    }
    if (settleable && usageListener != null) {
      byte[] keys = batch.keyBytes();
      for (int i = 0; i < n; i++) {
        usageListener.taken(variants[i].limit.name(), keys, batch.partsStart(i), batch.keyEnd(i), batch.cost(i));
      }
    }
    Decision.Settlement settlement = settle && settleable ? new StoreSettlement(batch, variants, n) : null;
    return MAKE.decision(Decision.Outcome.ALLOWED, route, pattern, limits, values, reported, refusal, settlement);
  }

  /** Gives back what a response does not count, after the fact. */
  private final class StoreSettlement implements Decision.Settlement {
    private final long decidedAt;
    private final CompiledLimit.Variant[] variants;
    private final Object[] tokens;

    StoreSettlement(Batch batch, CompiledLimit.Variant[] vs, int n) {
      this.decidedAt = batch.now();
      this.variants = java.util.Arrays.copyOf(vs, n);
      this.tokens = new Object[n];
      for (int i = 0; i < n; i++) {
        tokens[i] = batch.token(i);
      }
    }

    @Override
    public void settle(int status) {
      Batch b = scratch.get().releaseBatch.clear(decidedAt);
      for (int i = 0; i < variants.length; i++) {
        CompiledLimit.Variant v = variants[i];
        boolean giveBack = v.spec.algorithm() == Algorithm.CONCURRENCY || (status >= 0 && v.uncounted.contains(status));
        if (giveBack) {
          b.addRelease(v.spec, v.cost, tokens[i]);
        }
      }
      if (b.size() > 0) {
        store.release(b);
      }
    }
  }

  @Override
  public Decision tryAcquire(String limitName, String key, long cost) {
    long start = listener == null ? 0 : System.nanoTime();
    Scratch s = scratch.get();
    Batch batch = keyed(s, limitName, key, cost);
    return told(toDecision(s, batch, 1, store.acquire(batch), null, null, true), start);
  }

  @Override
  public CompletableFuture<Decision> tryAcquireAsync(String limitName, String key, long cost) {
    long start = listener == null ? 0 : System.nanoTime();
    Scratch s = newScratch();
    Batch batch = keyed(s, limitName, key, cost);
    return store.acquireAsync(batch).thenApply(admitted -> told(toDecision(s, batch, 1, admitted, null, null, true), start));
  }

  @Override
  public Decision tryAcquire(List<Acquire> acquires) {
    long start = listener == null ? 0 : System.nanoTime();
    Scratch s = acquires.size() <= compiled.limits.length ? scratch.get() : newScratch(acquires.size());
    Batch batch = keyed(s, acquires);
    return told(toDecision(s, batch, acquires.size(), store.acquire(batch), null, null, true), start);
  }

  @Override
  public CompletableFuture<Decision> tryAcquireAsync(List<Acquire> acquires) {
    long start = listener == null ? 0 : System.nanoTime();
    Scratch s = newScratch(Math.max(acquires.size(), compiled.limits.length));
    Batch batch = keyed(s, acquires);
    int n = acquires.size();
    return store.acquireAsync(batch).thenApply(admitted -> told(toDecision(s, batch, n, admitted, null, null, true), start));
  }

  /** The batch of several keyed acquires, in {@code s}, each (limit, key) once. */
  private Batch keyed(Scratch s, List<Acquire> acquires) {
    return Acquires.batch(compiled, s, acquires, clock.epochMillis());
  }

  /** The batch of one keyed acquire, in {@code s}: the allocation-free path of the one-counter API. */
  private Batch keyed(Scratch s, String limitName, String key, long cost) {
    return Acquires.batch(compiled, s, limitName, key, cost, clock.epochMillis());
  }

  @Override
  public List<LimitStatus> status(RequestInfo request) {
    Scratch s = scratch.get();
    long now = clock.epochMillis();
    Scratch.TenantCache tenant = s.tenant.reset();
    s.segments.reset();
    s.matched(null); // the status request's own path captures no route parameter
    List<LimitStatus> out = new ArrayList<>();
    for (CompiledLimit l : compiled.limits) {
      CompiledLimit.Variant v = l.variantFor(tenant.tenant(request));
      List<String> routeNames = l.statusRoutes();
      for (String routeName : routeNames) {
        Batch batch = s.batch.clear(now);
        batch.beginEntry(v.spec, v.cost);
        Keys.write(batch, l.key, request, routeName, s, tenant);
        batch.endEntry();
        store.peek(batch);
        out.add(v.status(batch, 0, routeName, compiled.patternOf(l, routeName)));
      }
    }
    return out;
  }

  @Override
  public Explanation explain(RequestInfo request) {
    Scratch s = newScratch();
    long now = clock.epochMillis();
    Decision early = prepare(request, s, now);
    if (early != null) {
      return new Explanation(early, List.of());
    }
    List<String> keys = new ArrayList<>(s.entries);
    int route = compiled.matchRoute(request.method(), request.path(), s.segments.reset(), s);
    for (CompiledLimit l : compiled.limits) { // the limits prepare() put in the batch, in its order
      if (l.applies(route, request.method(), request.path(), s.segments, s.pathCaptures)) {
        keys.add(Keys.describe(l.key, request, s.routeName, s, s.tenant));
      }
    }
    store.peek(s.batch);
    boolean admitted = true;
    for (int i = 0; i < s.entries; i++) {
      admitted &= s.variants[i].spec.shadow() || s.batch.fits(i);
    }
    return new Explanation(toDecision(s, s.batch, s.entries, admitted, s.routeName, s.matchedPatternText, false), keys);
  }

  @Override
  public List<ResetCounter> reset(RequestInfo request, String limitName) {
    if (limitName != null && !compiled.limitsByName.containsKey(limitName)) {
      throw new IllegalArgumentException("no limit named '" + limitName + "' in the policy (limits: "
          + compiled.limitsByName.keySet() + ")");
    }
    Scratch s = newScratch();
    String method = request.method();
    String path = request.path();
    Segments segments = s.segments.reset();
    int route = compiled.matchRoute(method, path, segments, s);
    String routeName = compiled.routeName(route);
    Scratch.TenantCache tenant = s.tenant.reset();
    Batch batch = s.batch.clear(clock.epochMillis());
    List<ResetCounter> out = new ArrayList<>();
    for (CompiledLimit l : compiled.limits) {
      String name = l.base.limit.name();
      if ((limitName != null && !name.equals(limitName)) || !l.applies(route, method, path, segments, s.pathCaptures)) {
        continue;
      }
      CompiledLimit.Variant v = l.variantFor(tenant.tenant(request));
      batch.beginEntry(v.spec, v.cost);
      Keys.write(batch, l.key, request, routeName, s, tenant);
      batch.endEntry();
      out.add(new ResetCounter(name, Keys.describe(l.key, request, routeName, s, tenant)));
    }
    store.reset(batch);
    return out;
  }

  @Override
  public boolean liftBan(RequestInfo request) {
    if (bans == null) {
      return false;
    }
    Scratch s = newScratch();
    long now = clock.epochMillis();
    boolean banned = bans.banned(request, s, now, store) != null;
    bans.lift(request, s, now, store);
    return banned;
  }

  @Override
  public String keyText(String limitName, byte[] keyParts) {
    CompiledLimit l = compiled.limitsByName.get(limitName);
    if (l == null) {
      throw new IllegalArgumentException("no limit named '" + limitName + "' in the policy (limits: "
          + compiled.limitsByName.keySet() + ")");
    }
    return Keys.decode(l.key, keyParts);
  }

  @Override
  public List<ActiveBan> bans(int max) {
    return bans == null ? List.of() : bans.active(store, clock.epochMillis(), max);
  }

  @Override
  public Policy policy() {
    return compiled.policy;
  }

  @Override
  public void close() {
    if (!ownsStore) {
      return;
    }
    try {
      store.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the store failed: " + e.getMessage(), e);
    }
  }
}
