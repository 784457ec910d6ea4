package io.tollgate.core.internal;

import io.tollgate.core.Algorithm;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitOverride;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.Refusal;
import io.tollgate.core.Route;
import io.tollgate.core.Tenants;
import io.tollgate.core.store.Batch;
import io.tollgate.core.store.LimitSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One limit with its filters compiled and its numbers per tenant ({@link Variant}). Immutable. */
final class CompiledLimit {

  private static final Results.Factory MAKE = Results.factory();

  final boolean[] routeMask; // by route index; the last entry is the default route; null = every route
  final Set<String> methods;
  final PathPattern[] paths;
  final KeyPart[][] key;
  final Variant base;
  final Map<String, Variant> byTenant = new HashMap<>();
  private final CompiledPolicy.CompiledRoute[] routes;
  private final Policy policy;
  /** Variants held to another number by a caller ({@link io.tollgate.core.RateLimiter.Acquire#limit}), by number. */
  private final Map<Long, Variant> byNumber = new java.util.concurrent.ConcurrentHashMap<>();

  CompiledLimit(Limit limit, CompiledPolicy.CompiledRoute[] routes, Tenants tenants, Policy policy) {
    this.routes = routes;
    this.policy = policy;
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
    this.key = CompiledPolicy.chains(limit.key());
    this.base = new Variant(limit, null, policy);
    if (tenants != null) {
      for (Map.Entry<String, Map<String, LimitOverride>> e : tenants.overrides().entrySet()) {
        LimitOverride o = e.getValue().get(limit.name());
        if (o != null) {
          byTenant.put(e.getKey(), new Variant(limit.withOverride(o), e.getKey(), policy));
        }
      }
    }
  }

  Variant variantFor(String tenant) {
    if (tenant == null || byTenant.isEmpty()) {
      return base;
    }
    return byTenant.getOrDefault(tenant, base);
  }

  /**
   * The limit held to {@code number} instead of its own: the same counters (the spec's meaning leaves
   * numbers out). The first 256 numbers asked for are kept; a caller asking for more gets each built
   * afresh (a limit override comes from a proxy's configuration: a handful of numbers).
   *
   * @throws IllegalArgumentException for a concurrency limit
   */
  Variant variantWithLimit(long number) {
    if (number == base.limit.limit()) {
      return base;
    }
    Variant v = byNumber.get(number);
    if (v != null) {
      return v;
    }
    if (base.limit.algorithm() == Algorithm.CONCURRENCY) {
      throw new IllegalArgumentException("limit '" + base.limit.name() + "' is a concurrency limit: its number cannot "
          + "be overridden per request");
    }
    v = new Variant(base.limit.withOverride(LimitOverride.none().withLimit(number)), null, policy);
    if (byNumber.size() < 256) {
      byNumber.putIfAbsent(number, v);
    }
    return v;
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
  List<String> statusRoutes() {
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

  /** A limit's numbers for some tenants (or all): its own counters, spec, refusal. Immutable. */
  static final class Variant {
    final Limit limit;
    final LimitSpec spec;
    final long cost;
    final StatusClasses uncounted;
    final Refusal refusal;
    final boolean settles;

    /** @param tenant the tenant whose overrides {@code l} carries, {@code null} for the limit itself */
    Variant(Limit l, String tenant, Policy policy) {
      this.limit = l;
      this.spec = new LimitSpec(counterOf(l, tenant), l.name(), l.algorithm(), l.limit(),
          l.window() == null ? 0 : l.window().toMillis(), l.burst(), l.mode() == Mode.SHADOW);
      this.cost = l.cost();
      this.uncounted = StatusClasses.parse(l.uncountedStatuses());
      this.refusal = policy.refusalFor(l);
      this.settles = l.algorithm() == Algorithm.CONCURRENCY || !uncounted.isEmpty();
    }

    /**
     * What a limit's counters mean: {@code per-ip/fixed-window/60000ms/client-ip}, with
     * {@code /@tenant} for a tenant's overrides. Numbers (limit, burst, cost) and mode are left out:
     * changing them keeps the counts.
     */
    static String counterOf(Limit l, String tenant) {
      StringBuilder s = new StringBuilder(l.name()).append('/').append(l.algorithm().text());
      if (l.algorithm() != Algorithm.CONCURRENCY) {
        s.append('/').append(l.window().toMillis()).append("ms");
      }
      s.append('/').append(keyText(l.key()));
      if (tenant != null) {
        s.append("/@").append(tenant);
      }
      return s.toString();
    }

    LimitStatus status(Batch b, int i, String route, String pattern) {
      return MAKE.status(limit, route, pattern, b.remaining(i), b.resetAt(i), b.retryAfter(i), b.fits(i));
    }
  }

  /** A key's chains as the policy file writes them: {@code tenant|api-key|client-ip+path}; {@code -} for none. */
  static String keyText(List<List<KeyPart>> key) {
    if (key.isEmpty()) {
      return "-";
    }
    StringBuilder s = new StringBuilder();
    for (List<KeyPart> chain : key) {
      if (s.length() > 0) {
        s.append('+');
      }
      for (int i = 0; i < chain.size(); i++) {
        s.append(i == 0 ? "" : "|").append(chain.get(i));
      }
    }
    return s.toString();
  }
}
