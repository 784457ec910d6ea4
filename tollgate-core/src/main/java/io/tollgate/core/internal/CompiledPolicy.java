package io.tollgate.core.internal;

import io.tollgate.core.Cidr;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.Route;
import io.tollgate.core.Tenants;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A policy worked out once for deciding: patterns parsed, each limit's route mask and tenant variants
 * ({@link CompiledLimit}), the address lists as arrays, and the largest capture count (which sizes a
 * {@link Scratch}). Immutable once made; a decision only reads it.
 */
final class CompiledPolicy {

  final Policy policy;
  final Tenants tenants;
  final CompiledRoute[] routes;
  final CompiledLimit[] limits;
  final Map<String, CompiledLimit> limitsByName = new HashMap<>();
  final Cidr[] allow;
  final Cidr[] deny;
  final int maxCaptures;

  CompiledPolicy(Policy policy) {
    this.policy = policy;
    this.tenants = policy.tenants();
    List<Route> rs = policy.routes();
    this.routes = new CompiledRoute[rs.size()];
    int captures = 0;
    for (int i = 0; i < rs.size(); i++) {
      routes[i] = new CompiledRoute(rs.get(i));
      for (PathPattern p : routes[i].patterns) {
        captures = Math.max(captures, p.captureNames().size());
      }
    }
    List<Limit> ls = policy.limits();
    this.limits = new CompiledLimit[ls.size()];
    for (int i = 0; i < ls.size(); i++) {
      limits[i] = new CompiledLimit(ls.get(i), routes, tenants, policy);
      limitsByName.put(ls.get(i).name(), limits[i]);
      for (PathPattern p : limits[i].paths) {
        captures = Math.max(captures, p.captureNames().size());
      }
    }
    this.allow = policy.allow().toArray(new Cidr[0]);
    this.deny = policy.deny().toArray(new Cidr[0]);
    this.maxCaptures = captures;
  }

  /** The index of the first matching route, or {@code routes.length} for the default route. */
  int matchRoute(String method, String path, Segments segments, Scratch s) {
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

  String routeName(int route) {
    return route < routes.length ? routes[route].name : Route.DEFAULT;
  }

  /** The pattern the status endpoint shows for {@code l} on {@code routeName}. */
  String patternOf(CompiledLimit l, String routeName) {
    for (CompiledRoute r : routes) {
      if (r.name.equals(routeName)) {
        return r.patterns[0].toString();
      }
    }
    return l.paths.length > 0 ? l.paths[0].toString() : "/**";
  }

  static boolean inAny(Cidr[] blocks, String ip) {
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

  static final class CompiledRoute {
    final String name;
    final PathPattern[] patterns;

    CompiledRoute(Route r) {
      this.name = r.name();
      this.patterns = r.patterns().stream().map(PathPattern::parse).toArray(PathPattern[]::new);
    }
  }
}
