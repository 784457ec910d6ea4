package io.tollgate.core.internal;

import io.tollgate.core.Algorithm;
import io.tollgate.core.Ban;
import io.tollgate.core.Cidr;
import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitOverride;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.Refusal;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.Route;
import io.tollgate.core.Tenants;
import io.tollgate.core.store.Batch;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.LimitSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The limiter. A request goes: deny list, ban, allow list, route, the limits whose filters match,
 * one key per limit written into a per-thread {@link Batch}, one {@link CounterStore#acquire} for
 * all of them, then a {@link Decision}. Everything that can be worked out from the policy alone
 * (compiled patterns, route masks, tenant variants, refusal blocks) is worked out here, once.
 */
public final class DefaultRateLimiter implements RateLimiter {

  private static final String[] ALTERNATIVE = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

  private static final Results.Factory MAKE = Results.factory();

  private final Policy policy;
  private final Clock clock;
  private final CounterStore store;
  private final CompiledRoute[] routes;
  private final CompiledLimit[] limits;
  private final int maxCaptures; // of any route or path pattern: sizes a scratch's capture arrays
  private final Map<String, CompiledLimit> limitsByName = new HashMap<>();
  private final Tenants tenants;
  private final Cidr[] allow;
  private final Cidr[] deny;
  private final Ban ban;
  private final KeyPart[][] banKey;
  private final LimitSpec banSpec;
  private final LimitSpec refusalsSpec;
  private final Refusal banRefusal;
  private final Limit banLimit; // what a banned caller is told: the ban's length and its end
  private final ThreadLocal<Scratch> scratch;

  public DefaultRateLimiter(Policy policy, Clock clock, CounterStore store) {
    this.policy = policy;
    this.clock = clock;
    this.store = store;
    this.tenants = policy.tenants();
    List<Route> rs = policy.routes();
    this.routes = new CompiledRoute[rs.size()];
    int maxCaptures = 0;
    for (int i = 0; i < rs.size(); i++) {
      routes[i] = new CompiledRoute(rs.get(i));
      for (PathPattern p : routes[i].patterns) {
        maxCaptures = Math.max(maxCaptures, p.captureNames().size());
      }
    }
    int nextSpecId = 0;
    List<Limit> ls = policy.limits();
    this.limits = new CompiledLimit[ls.size()];
    for (int i = 0; i < ls.size(); i++) {
      limits[i] = new CompiledLimit(ls.get(i), nextSpecId);
      nextSpecId += limits[i].variantCount();
      limitsByName.put(ls.get(i).name(), limits[i]);
    }
    for (CompiledLimit l : limits) {
      for (PathPattern p : l.paths) {
        maxCaptures = Math.max(maxCaptures, p.captureNames().size());
      }
    }
    this.allow = policy.allow().toArray(new Cidr[0]);
    this.deny = policy.deny().toArray(new Cidr[0]);
    this.ban = policy.ban();
    if (ban != null) {
      this.banKey = chains(ban.key());
      this.refusalsSpec = new LimitSpec(nextSpecId++, "ban-refusals", Algorithm.FIXED_WINDOW, ban.after(),
          ban.within().toMillis(), ban.after(), false);
      this.banSpec = new LimitSpec(nextSpecId, "ban", Algorithm.TOKEN_BUCKET, 1, ban.duration().toMillis(), 1, false);
      this.banLimit = Limit.builder("ban").limit(ban.after()).window(ban.durationText()).build();
      this.banRefusal = Refusal.empty().withStatus(ban.status()).withHeaders(List.of(HeaderSet.RETRY_AFTER))
          .withContentType(ban.contentType()).withBody(ban.body());
    } else {
      this.banKey = null;
      this.refusalsSpec = null;
      this.banSpec = null;
      this.banRefusal = null;
      this.banLimit = null;
    }
    this.maxCaptures = maxCaptures;
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(this.maxCaptures, limits.length, true));
  }

  @Override
  public Decision decide(RequestInfo request) {
    Scratch s = scratch.get();
    long now = clock.epochMillis();
    Decision early = prepare(request, s, now);
    if (early != null) {
      return early;
    }
    return finish(request, s, now, store.acquire(s.batch));
  }

  @Override
  public CompletableFuture<Decision> decideAsync(RequestInfo request) {
    Scratch s = newScratch(); // this decision's own: the store may complete it on another thread
    long now = clock.epochMillis();
    Decision early = prepare(request, s, now);
    if (early != null) {
      return CompletableFuture.completedFuture(early);
    }
    return store.acquireAsync(s.batch).thenCompose(admitted -> {
      if (admitted || ban == null) {
        return CompletableFuture.completedFuture(toDecision(s, s.batch, s.entries, admitted, s.routeName, s.matchedPatternText));
      }
      // Counting the refusal toward a ban calls the store again: not on the thread that completed
      // this future, which may be the store's own I/O thread.
      return CompletableFuture.supplyAsync(() -> finish(request, s, now, false));
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
    int route = matchRoute(method, path, segments, s);
    String routeName = route < routes.length ? routes[route].name : Route.DEFAULT;
    if (allow.length > 0 && inAny(allow, ip)) {
      return MAKE.unlimited(Decision.Outcome.ALLOWED, routeName);
    }
    Batch batch = s.batch.clear(now);
    TenantCache tenant = s.tenant.reset();
    int n = 0;
    for (CompiledLimit l : limits) {
      if (!l.applies(route, method, path, segments, s.pathCaptures)) {
        continue;
      }
      Variant v = l.variantFor(tenant.tenant(request));
      batch.beginEntry(v.spec, v.cost);
      writeKey(batch, l.key, request, routeName, s, tenant);
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
    Decision d = toDecision(s, s.batch, s.entries, admitted, s.routeName, s.matchedPatternText);
    if (!admitted && ban != null) {
      countRefusal(request, s, now, s.routeName);
    }
    return d;
  }

  private Scratch newScratch() {
    return new Scratch(maxCaptures, limits.length, false);
  }

  @Override
  public Decision screen(RequestInfo request) {
    Decision screened = screen(request, scratch.get(), clock.epochMillis());
    return screened != null ? screened : MAKE.unlimited(Decision.Outcome.ALLOWED, null);
  }

  /** The deny list and the ban: a decision if they settle it, else {@code null}. */
  private Decision screen(RequestInfo request, Scratch s, long now) {
    if (deny.length > 0 && inAny(deny, request.clientIp())) {
      return MAKE.unlimited(Decision.Outcome.DENIED, null);
    }
    return ban == null ? null : banned(request, s, now);
  }

  private Decision toDecision(Scratch s, Batch batch, int n, boolean admitted, String route, String pattern) {
    Variant[] variants = s.variants;
    Limit[] limits = s.limitsOf(variants, n);
    long[] values = new long[4 * n];
    int reported = -1;
    boolean settle = false;
    for (int i = 0; i < n; i++) {
      Variant v = variants[i];
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
    Decision.Settlement settlement = settle ? new StoreSettlement(batch, variants, n) : null;
    return MAKE.decision(Decision.Outcome.ALLOWED, route, pattern, limits, values, reported, refusal, settlement);
  }

  /** Gives back what a response does not count, after the fact. */
  private final class StoreSettlement implements Decision.Settlement {
    private final long decidedAt;
    private final Variant[] variants;
    private final Object[] tokens;

    StoreSettlement(Batch batch, Variant[] vs, int n) {
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
        Variant v = variants[i];
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
    Scratch s = scratch.get();
    Batch batch = keyed(s, limitName, key, cost);
    return toDecision(s, batch, 1, store.acquire(batch), null, null);
  }

  @Override
  public CompletableFuture<Decision> tryAcquireAsync(String limitName, String key, long cost) {
    Scratch s = newScratch();
    Batch batch = keyed(s, limitName, key, cost);
    return store.acquireAsync(batch).thenApply(admitted -> toDecision(s, batch, 1, admitted, null, null));
  }

  /** The batch of one keyed acquire, in {@code s}. */
  private Batch keyed(Scratch s, String limitName, String key, long cost) {
    CompiledLimit l = limitsByName.get(limitName);
    if (l == null) {
      throw new IllegalArgumentException("no limit named '" + limitName + "' in the policy (limits: "
          + limitsByName.keySet() + ")");
    }
    if (cost <= 0) {
      throw new IllegalArgumentException("cost must be > 0 (was " + cost + ")");
    }
    Batch batch = s.batch.clear(clock.epochMillis());
    Variant v = l.base;
    batch.beginEntry(v.spec, cost);
    batch.keyPart(key);
    batch.endEntry();
    if (s.variants[0] != v) {
      s.variants[0] = v;
    }
    return batch;
  }

  @Override
  public List<LimitStatus> status(RequestInfo request) {
    Scratch s = scratch.get();
    long now = clock.epochMillis();
    TenantCache tenant = s.tenant.reset();
    s.segments.reset();
    s.matched(null); // the status request's own path captures no route parameter
    List<LimitStatus> out = new ArrayList<>();
    for (CompiledLimit l : limits) {
      Variant v = l.variantFor(tenant.tenant(request));
      List<String> routeNames = l.statusRoutes(policy);
      for (String routeName : routeNames) {
        Batch batch = s.batch.clear(now);
        batch.beginEntry(v.spec, v.cost);
        writeKey(batch, l.key, request, routeName, s, tenant);
        batch.endEntry();
        store.peek(batch);
        out.add(v.status(batch, 0, routeName, patternOf(l, routeName)));
      }
    }
    return out;
  }

  private String patternOf(CompiledLimit l, String routeName) {
    for (CompiledRoute r : routes) {
      if (r.name.equals(routeName)) {
        return r.patterns[0].toString();
      }
    }
    return l.paths.length > 0 ? l.paths[0].toString() : "/**";
  }

  @Override
  public Policy policy() {
    return policy;
  }

  @Override
  public void close() {
    try {
      store.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the store failed: " + e.getMessage(), e);
    }
  }

  // ---- bans

  private Decision banned(RequestInfo request, Scratch s, long now) {
    Batch batch = s.batch.clear(now);
    batch.beginEntry(banSpec, 1);
    s.matched(null);
    writeKey(batch, banKey, request, Route.DEFAULT, s, s.tenant.reset());
    batch.endEntry();
    store.peek(batch);
    if (batch.fits(0)) {
      return null;
    }
    long[] values = {0, batch.resetAt(0), batch.retryAfter(0), 0};
    return MAKE.decision(Decision.Outcome.BANNED, null, null, new Limit[] {banLimit}, values, 0, banRefusal, null);
  }

  private void countRefusal(RequestInfo request, Scratch s, long now, String routeName) {
    Batch batch = s.batch.clear(now);
    batch.beginEntry(refusalsSpec, 1);
    writeKey(batch, banKey, request, routeName, s, s.tenant);
    batch.endEntry();
    boolean counted = store.acquire(batch);
    if (!counted || batch.remaining(0) == 0) {
      batch.clear(now);
      batch.beginEntry(banSpec, 1);
      writeKey(batch, banKey, request, routeName, s, s.tenant);
      batch.endEntry();
      store.acquire(batch);
    }
  }

  // ---- keys

  private void writeKey(Batch batch, KeyPart[][] key, RequestInfo request, String routeName, Scratch s,
      TenantCache tenant) {
    for (KeyPart[] chain : key) {
      boolean written = false;
      for (int alt = 0; alt < chain.length && !written; alt++) {
        written = writePart(batch, chain[alt], request, routeName, s, tenant, chain.length > 1 ? alt : -1);
      }
      if (!written) {
        batch.keyPart(null); // no value anywhere in the chain: the empty value, one shared counter
      }
    }
  }

  /** Writes the part's value if it has one; {@code alt} >= 0 tags which alternative of a chain it was. */
  private boolean writePart(Batch batch, KeyPart part, RequestInfo request, String routeName, Scratch s,
      TenantCache tenant, int alt) {
    String value;
    switch (part.kind()) {
      case CLIENT_IP:
        value = request.clientIp();
        break;
      case ROUTE:
        value = routeName;
        break;
      case METHOD:
        value = request.method();
        break;
      case PATH:
        value = request.path();
        break;
      case API_KEY:
        value = tenant.apiKey(request);
        break;
      case TENANT:
        value = tenant.tenant(request);
        break;
      case HEADER:
        value = request.header(part.name());
        break;
      case QUERY:
        value = request.queryParam(part.name());
        break;
      default: { // PARAM: a segment the matched route pattern captured, written without a copy
        int seg = s.capturedSegment(part.name());
        if (seg < 0) {
          return false;
        }
        if (alt >= 0) {
          batch.keyPart(ALTERNATIVE[Math.min(alt, 9)]);
        }
        batch.keyPart(request.path(), s.segments.start(seg), s.segments.end(seg));
        return true;
      }
    }
    if (value == null || value.isEmpty()) {
      return false;
    }
    if (alt >= 0) {
      batch.keyPart(ALTERNATIVE[Math.min(alt, 9)]);
    }
    batch.keyPart(value);
    return true;
  }

  // ---- routes

  /** The index of the first matching route, or {@code routes.length} for the default route. */
  private int matchRoute(String method, String path, Segments segments, Scratch s) {
    for (int r = 0; r < routes.length; r++) {
      for (PathPattern p : routes[r].patterns) {
        if (p.matches(method, path, segments, s.captures)) {
          s.matched(p);
          return r;
        }
      }
    }
    s.matched(null);
    return routes.length;
  }

  private static boolean inAny(Cidr[] blocks, String ip) {
    for (Cidr c : blocks) {
      if (c.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  static KeyPart[][] chains(List<List<KeyPart>> key) {
    KeyPart[][] out = new KeyPart[key.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = key.get(i).toArray(new KeyPart[0]);
    }
    return out;
  }

  // ---- compiled policy

  private static final class CompiledRoute {
    final String name;
    final PathPattern[] patterns;

    CompiledRoute(Route r) {
      this.name = r.name();
      this.patterns = r.patterns().stream().map(PathPattern::parse).toArray(PathPattern[]::new);
    }
  }

  /** One limit with its filters compiled and its numbers per tenant. */
  private final class CompiledLimit {
    final boolean[] routeMask; // by route index; the last entry is the default route; null = every route
    final Set<String> methods;
    final PathPattern[] paths;
    final KeyPart[][] key;
    final Variant base;
    final Map<String, Variant> byTenant = new HashMap<>();

    CompiledLimit(Limit limit, int firstSpecId) {
      if (limit.routes().isEmpty()) {
        this.routeMask = null;
      } else {
        this.routeMask = new boolean[routes.length + 1];
        for (int r = 0; r <= routes.length; r++) {
          String name = r < routes.length ? routes[r].name : Route.DEFAULT;
          routeMask[r] = limit.routes().contains(name);
        }
      }
      this.methods = limit.methods();
      this.paths = limit.paths().stream().map(PathPattern::parse).toArray(PathPattern[]::new);
      this.key = chains(limit.key());
      this.base = new Variant(limit, firstSpecId);
      int id = firstSpecId + 1;
      if (tenants != null) {
        for (Map.Entry<String, Map<String, LimitOverride>> e : tenants.overrides().entrySet()) {
          LimitOverride o = e.getValue().get(limit.name());
          if (o != null) {
            byTenant.put(e.getKey(), new Variant(limit.withOverride(o), id++));
          }
        }
      }
    }

    int variantCount() {
      return 1 + byTenant.size();
    }

    Variant variantFor(String tenant) {
      if (tenant == null || byTenant.isEmpty()) {
        return base;
      }
      return byTenant.getOrDefault(tenant, base);
    }

    boolean applies(int route, String method, String path, Segments segments, int[] captures) {
      if (routeMask != null && !routeMask[route]) {
        return false;
      }
      if (!methods.isEmpty() && !PathPattern.Methods.contains(methods, method)) {
        return false;
      }
      if (paths.length == 0) {
        return true;
      }
      for (PathPattern p : paths) {
        if (p.matches(method, path, segments, captures)) {
          return true;
        }
      }
      return false;
    }

    /** The routes the status endpoint lists this limit for. */
    List<String> statusRoutes(Policy policy) {
      boolean perRoute = routeMask != null;
      for (KeyPart[] chain : key) {
        for (KeyPart p : chain) {
          perRoute |= p.kind() == KeyPart.Kind.ROUTE;
        }
      }
      List<String> out = new ArrayList<>();
      if (!perRoute) {
        out.add(Route.DEFAULT);
        return out;
      }
      for (int r = 0; r <= routes.length; r++) {
        if (routeMask == null || routeMask[r]) {
          out.add(r < routes.length ? routes[r].name : Route.DEFAULT);
        }
      }
      return out;
    }
  }

  /** A limit's numbers for some tenants (or all): its own counters, spec, refusal. */
  private final class Variant {
    final Limit limit;
    final LimitSpec spec;
    final long cost;
    final StatusClasses uncounted;
    final Refusal refusal;
    final boolean settles;

    Variant(Limit l, int specId) {
      this.limit = l;
      this.spec = new LimitSpec(specId, l.name(), l.algorithm(), l.limit(),
          l.window() == null ? 0 : l.window().toMillis(), l.burst(), l.mode() == Mode.SHADOW);
      this.cost = l.cost();
      this.uncounted = StatusClasses.parse(l.uncountedStatuses());
      this.refusal = policy.refusalFor(l);
      this.settles = l.algorithm() == Algorithm.CONCURRENCY || !uncounted.isEmpty();
    }

    LimitStatus status(Batch b, int i, String route, String pattern) {
      return MAKE.status(limit, route, pattern, b.remaining(i), b.resetAt(i), b.retryAfter(i), b.fits(i));
    }
  }

  /**
   * The tenant and API key of the request being decided, read once and only when a key needs them.
   * The request is passed in, not kept: this object lives long, and storing a young request into it
   * on every decision would cost a GC write barrier.
   */
  private final class TenantCache {
    private boolean read;
    private String apiKey;
    private String tenant;

    TenantCache reset() {
      read = false;
      return this;
    }

    String apiKey(RequestInfo request) {
      read(request);
      return apiKey;
    }

    String tenant(RequestInfo request) {
      read(request);
      return tenant;
    }

    private void read(RequestInfo request) {
      if (read) {
        return;
      }
      read = true;
      if (tenants == null) {
        if (apiKey != null) {
          apiKey = null;
          tenant = null;
        }
        return;
      }
      KeyPart at = tenants.apiKey();
      apiKey = at.kind() == KeyPart.Kind.HEADER ? request.header(at.name()) : request.queryParam(at.name());
      tenant = tenants.tenantOf(apiKey);
    }
  }

  /** Per-thread buffers: a decision allocates only its result. */
  private final class Scratch {
    final Segments segments = new Segments();
    final Batch batch = new Batch();
    final Batch releaseBatch; // a thread's own scratch only: settling uses the settling thread's
    final TenantCache tenant = new TenantCache();
    final int[] captures;
    final int[] pathCaptures;
    final Variant[] variants;
    PathPattern matchedPattern;
    String matchedPatternText;
    int entries; // of the batch being decided
    String routeName; // of the request being decided
    private Limit[] lastLimits = new Limit[0];

    Scratch(int maxCaptures, int limitCount, boolean perThread) {
      this.releaseBatch = perThread ? new Batch() : null;
      this.captures = new int[Math.max(1, maxCaptures)];
      this.pathCaptures = new int[Math.max(1, maxCaptures)];
      this.variants = new Variant[Math.max(1, limitCount)];
    }

    /**
     * The limits of {@code variants}, as an array no one writes to once made: the same array as the
     * previous decision's on this thread when the same limits applied (the usual case), so that a
     * decision allocates only its numbers.
     */
    Limit[] limitsOf(Variant[] vs, int n) {
      Limit[] last = lastLimits;
      boolean same = last.length == n;
      for (int i = 0; same && i < n; i++) {
        same = last[i] == vs[i].limit;
      }
      if (same) {
        return last;
      }
      Limit[] fresh = new Limit[n];
      for (int i = 0; i < n; i++) {
        fresh[i] = vs[i].limit;
      }
      lastLimits = fresh;
      return fresh;
    }

    void matched(PathPattern p) {
      if (matchedPattern != p) {
        matchedPattern = p;
        matchedPatternText = p == null ? null : p.toString();
      }
    }

    /** The segment the matched route pattern captured as {@code name}, or -1. */
    int capturedSegment(String name) {
      if (matchedPattern == null) {
        return -1;
      }
      int k = matchedPattern.captureNames().indexOf(name);
      return k < 0 ? -1 : captures[k];
    }
  }
}
