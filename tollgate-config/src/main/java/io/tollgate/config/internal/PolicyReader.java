package io.tollgate.config.internal;

import io.tollgate.core.Algorithm;
import io.tollgate.core.Ban;
import io.tollgate.core.Cidr;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitOverride;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.Refusal;
import io.tollgate.core.Route;
import io.tollgate.core.Tenants;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/**
 * Reads the policy half of a policy file (what the engine enforces: routes, limits, tenants,
 * refusals, allow, deny, ban, the status endpoint) into a {@link Policy}. Values are checked by
 * core's builders; this class says where in the file a rejected value was.
 */
public final class PolicyReader {

  /** The top-level keys this reader owns. */
  public static final List<String> KEYS = List.of("tenants", "refusal", "status-endpoint", "allow", "deny", "ban",
      "routes", "limits");

  private static final List<String> TENANTS = List.of("api-key", "map", "overrides");
  private static final List<String> OVERRIDE = List.of("limit", "window", "burst", "concurrency", "cost");
  private static final List<String> REFUSAL = List.of("status", "headers", "content-type", "body");
  private static final List<String> BAN = List.of("key", "after", "within", "for", "status", "content-type", "body");
  private static final List<String> ROUTE = List.of("name", "match");
  private static final List<String> LIMIT = List.of("name", "routes", "methods", "paths", "key", "limit", "window",
      "algorithm", "burst", "concurrency", "cost", "uncounted-statuses", "mode", "refusal");

  private final Nodes n;

  private PolicyReader(Nodes nodes) {
    this.n = nodes;
  }

  /** The policy of the file whose top-level mapping is {@code top}, or {@code null} after recording its errors. */
  public static Policy read(Map<String, Node> top, Node root, Nodes nodes) {
    return new PolicyReader(nodes).read(top, root);
  }

  private Policy read(Map<String, Node> top, Node root) {
    int before = n.errors().size();
    Policy.Builder policy = Policy.builder();
    Node se = top.get("status-endpoint");
    if (se != null) {
      String s = n.scalar(se, "status-endpoint");
      if (s != null) {
        n.attempt(se, () -> policy.statusEndpoint(s));
      }
    }
    for (Cidr c : n.cidrs(top.get("allow"), "allow")) {
      policy.allow(c.toString());
    }
    for (Cidr c : n.cidrs(top.get("deny"), "deny")) {
      policy.deny(c.toString());
    }
    if (top.containsKey("refusal")) {
      Refusal r = refusal(top.get("refusal"), "refusal");
      if (r != null) {
        policy.refusal(r);
      }
    }
    if (top.containsKey("ban")) {
      Ban b = ban(top.get("ban"));
      if (b != null) {
        policy.ban(b);
      }
    }

    Set<String> routeNames = new HashSet<>();
    routeNames.add(Route.DEFAULT);
    for (Node r : n.sequence(top.get("routes"), "routes")) {
      Route route = route(r, routeNames);
      if (route != null) {
        policy.route(route);
      }
    }
    Map<String, Limit> limits = new LinkedHashMap<>();
    boolean keyedByTenant = false;
    Node keyedByTenantAt = null;
    if (!top.containsKey("limits")) {
      n.error(1, 1, "the policy has no 'limits'");
    }
    for (Node l : n.sequence(top.get("limits"), "limits")) {
      Limit limit = limit(l, routeNames, limits.keySet());
      if (limit != null) {
        limits.put(limit.name(), limit);
        policy.limit(limit);
        for (List<KeyPart> chain : limit.key()) {
          for (KeyPart p : chain) {
            if (!keyedByTenant && (p.kind() == KeyPart.Kind.TENANT || p.kind() == KeyPart.Kind.API_KEY)) {
              keyedByTenant = true;
              keyedByTenantAt = l;
            }
          }
        }
      }
    }
    if (top.containsKey("tenants")) {
      Tenants t = tenants(top.get("tenants"), limits);
      if (t != null) {
        policy.tenants(t);
      }
    } else if (keyedByTenant) {
      n.error(keyedByTenantAt, "this limit is keyed by tenant or api-key, but the file has no 'tenants' block "
          + "(add tenants.api-key: header:NAME)");
    }
    if (n.errors().size() > before) {
      return null;
    }
    Policy[] built = new Policy[1];
    n.attempt(root, () -> built[0] = policy.build()); // every check with a position ran above; a backstop
    return built[0];
  }

  private Route route(Node node, Set<String> names) {
    Map<String, Node> m = n.mapping(node, ROUTE, "a route");
    if (m == null) {
      return null;
    }
    String name = n.requiredName(m, node, "route");
    List<String> patterns = new ArrayList<>();
    Node match = m.get("match");
    if (match == null) {
      n.error(node, "route" + (name == null ? "" : " '" + name + "'") + " needs 'match' (a list of patterns)");
    }
    for (Node p : n.sequence(match, "match")) {
      String text = n.scalar(p, "a pattern");
      if (text != null && n.attempt(p, () -> Route.of("x", text))) {
        patterns.add(text);
      }
    }
    if (name == null || patterns.isEmpty()) {
      return null;
    }
    if (!names.add(name)) {
      n.error(m.get("name"), name.equals(Route.DEFAULT)
          ? "'default' is the route of requests that match no route; name this route otherwise"
          : "duplicate route name '" + name + "'");
      return null;
    }
    return Route.of(name, patterns);
  }

  private Limit limit(Node node, Set<String> routeNames, Set<String> limitNames) {
    int beforeMapping = n.errors().size();
    Map<String, Node> m = n.mapping(node, LIMIT, "a limit");
    boolean misspelt = n.errors().size() > beforeMapping; // then "needs 'window'" would only repeat it
    if (m == null) {
      return null;
    }
    String name = n.requiredName(m, node, "limit");
    if (name == null) {
      return null;
    }
    int before = beforeMapping;
    if (limitNames.contains(name)) {
      n.error(m.get("name"), "duplicate limit name '" + name + "'");
    }
    Limit.Builder b = Limit.builder(name);
    if (m.containsKey("routes")) {
      List<String> rs = new ArrayList<>();
      for (Node r : n.sequence(m.get("routes"), "routes")) {
        String rn = n.scalar(r, "a route name");
        if (rn != null && !routeNames.contains(rn)) {
          n.error(r, "unknown route '" + rn + "'" + Nodes.suggest(rn, routeNames) + " (routes: " + String.join(", ", routeNames) + ")");
        } else if (rn != null) {
          rs.add(rn);
        }
      }
      b.routes(rs);
    }
    if (m.containsKey("methods")) {
      List<String> ms = n.strings(m.get("methods"), "methods");
      n.attempt(m.get("methods"), () -> b.methods(ms.toArray(new String[0])));
    }
    if (m.containsKey("paths")) {
      List<String> ps = new ArrayList<>();
      for (Node p : n.sequence(m.get("paths"), "paths")) {
        String text = n.scalar(p, "a path pattern");
        if (text != null && n.attempt(p, () -> b.paths(text))) {
          ps.add(text);
        }
      }
      b.paths(ps);
    }
    if (m.containsKey("key")) {
      List<List<KeyPart>> chains = keyChains(m.get("key"));
      if (chains != null) {
        b.keyChains(chains);
      }
    }
    Node concurrency = m.get("concurrency");
    if (concurrency != null) {
      for (String other : List.of("limit", "window", "algorithm", "burst")) {
        if (m.containsKey(other)) {
          n.error(n.keyNode(node, other), "'" + other + "' does not go with 'concurrency': a concurrency limit counts "
              + "requests in flight, not units per window (remove one of them)");
        }
      }
      Long c = n.positive(concurrency, "concurrency");
      if (c != null) {
        n.attempt(concurrency, () -> b.concurrency(c.intValue()));
      }
    } else {
      if (!m.containsKey("limit") && !misspelt) {
        n.error(node, "limit '" + name + "' needs 'limit' (units per window) or 'concurrency'");
      }
      if (!m.containsKey("window") && !misspelt) {
        n.error(node, "limit '" + name + "' needs 'window' (e.g. 1m)");
      }
      Long l = n.positive(m.get("limit"), "limit");
      if (l != null) {
        b.limit(l);
      }
      Node w = m.get("window");
      Duration d = w == null ? null : n.duration(w, "window");
      if (d != null) {
        n.attempt(w, () -> b.window(Nodes.text(w)));
      }
      Node a = m.get("algorithm");
      if (a != null) {
        String text = n.scalar(a, "algorithm");
        Algorithm alg = text == null ? null : Algorithm.fromText(text);
        if (text != null && (alg == null || alg == Algorithm.CONCURRENCY)) {
          n.error(a, "unknown algorithm '" + text + "'" + Nodes.suggest(text, List.of("fixed-window", "sliding-window", "token-bucket"))
              + " (fixed-window, sliding-window or token-bucket; for requests in flight write 'concurrency: N')");
        } else if (alg != null) {
          b.algorithm(alg);
        }
        if (alg == Algorithm.SLIDING_WINDOW && l != null && l > Integer.MAX_VALUE) {
          n.error(m.get("limit"), "a sliding-window limit must be at most " + Integer.MAX_VALUE);
        }
      }
      Node burst = m.get("burst");
      if (burst != null) {
        Long bu = n.positive(burst, "burst");
        if (bu != null) {
          if (!(a instanceof ScalarNode) || !"token-bucket".equals(((ScalarNode) a).getValue())) {
            n.error(burst, "'burst' applies to algorithm: token-bucket only");
          }
          b.burst(bu);
        }
      }
    }
    if (m.containsKey("cost")) {
      Long c = n.positive(m.get("cost"), "cost");
      if (c != null) {
        b.cost(c);
      }
    }
    if (m.containsKey("uncounted-statuses")) {
      List<String> ss = new ArrayList<>();
      for (Node s : n.sequence(m.get("uncounted-statuses"), "uncounted-statuses")) {
        String text = n.scalar(s, "a status");
        if (text != null && n.attempt(s, () -> Limit.builder("x").uncountedStatuses(text))) {
          ss.add(text);
        }
      }
      b.uncountedStatuses(ss);
    }
    Node mode = m.get("mode");
    if (mode != null) {
      String text = n.scalar(mode, "mode");
      if ("enforce".equals(text)) {
        b.mode(Mode.ENFORCE);
      } else if ("shadow".equals(text)) {
        b.mode(Mode.SHADOW);
      } else if (text != null) {
        n.error(mode, "unknown mode '" + text + "' (enforce or shadow)");
      }
    }
    if (m.containsKey("refusal")) {
      Refusal r = refusal(m.get("refusal"), "refusal");
      if (r != null) {
        b.refusal(r);
      }
    }
    if (n.errors().size() > before) {
      return null;
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      n.error(node, e.getMessage());
      return null;
    }
  }

  private Tenants tenants(Node node, Map<String, Limit> limits) {
    Map<String, Node> m = n.mapping(node, TENANTS, "tenants");
    if (m == null) {
      return null;
    }
    Node ak = m.get("api-key");
    if (ak == null) {
      n.error(node, "tenants needs 'api-key' (where the API key is read: header:NAME or query:NAME)");
      return null;
    }
    String where = n.scalar(ak, "api-key");
    Tenants.Builder[] b = new Tenants.Builder[1];
    if (where == null || !n.attempt(ak, () -> b[0] = Tenants.builder(where))) {
      return null;
    }
    Map<String, String> owner = new HashMap<>();
    Node map = m.get("map");
    Map<String, Node> tenants = map == null ? Map.of() : n.mapping(map, null, "tenants.map");
    if (tenants == null) {
      return null;
    }
    for (Map.Entry<String, Node> e : tenants.entrySet()) {
      List<String> keys = new ArrayList<>();
      for (Node k : n.sequence(e.getValue(), "the API keys of '" + e.getKey() + "'")) {
        String key = n.scalar(k, "an API key");
        if (key == null) {
          continue;
        }
        String other = owner.putIfAbsent(key, e.getKey());
        if (other != null && !other.equals(e.getKey())) {
          n.error(k, "API key '" + key + "' already belongs to tenant '" + other + "'");
        }
        keys.add(key);
      }
      b[0].tenant(e.getKey(), keys);
    }
    Node ov = m.get("overrides");
    Map<String, Node> overrides = ov == null ? Map.of() : n.mapping(ov, null, "tenants.overrides");
    if (overrides == null) {
      return null;
    }
    for (Map.Entry<String, Node> e : overrides.entrySet()) {
      if (!tenants.containsKey(e.getKey())) {
        n.error(n.keyNode(ov, e.getKey()), "override for unknown tenant '" + e.getKey() + "'" + Nodes.suggest(e.getKey(), tenants.keySet()));
        continue;
      }
      Map<String, Node> perLimit = n.mapping(e.getValue(), null, "the overrides of '" + e.getKey() + "'");
      if (perLimit == null) {
        continue;
      }
      for (Map.Entry<String, Node> o : perLimit.entrySet()) {
        Limit limit = limits.get(o.getKey());
        if (limit == null) {
          n.error(n.keyNode(e.getValue(), o.getKey()), "override of unknown limit '" + o.getKey() + "'"
              + Nodes.suggest(o.getKey(), limits.keySet()));
          continue;
        }
        LimitOverride lo = override(o.getValue());
        if (lo != null && n.attempt(o.getValue(), () -> limit.withOverride(lo))) {
          b[0].override(e.getKey(), o.getKey(), lo);
        }
      }
    }
    Tenants[] out = new Tenants[1];
    n.attempt(node, () -> out[0] = b[0].build());
    return out[0];
  }

  private LimitOverride override(Node node) {
    Map<String, Node> m = n.mapping(node, OVERRIDE, "an override");
    if (m == null) {
      return null;
    }
    LimitOverride o = LimitOverride.none();
    int before = n.errors().size();
    if (m.containsKey("limit")) {
      Long v = n.positive(m.get("limit"), "limit");
      o = v == null ? o : o.withLimit(v);
    }
    if (m.containsKey("window")) {
      Duration d = n.duration(m.get("window"), "window");
      o = d == null ? o : o.withWindow(Nodes.text(m.get("window")));
    }
    if (m.containsKey("burst")) {
      Long v = n.positive(m.get("burst"), "burst");
      o = v == null ? o : o.withBurst(v);
    }
    if (m.containsKey("concurrency")) {
      Long v = n.positive(m.get("concurrency"), "concurrency");
      o = v == null ? o : o.withConcurrency(v.intValue());
    }
    if (m.containsKey("cost")) {
      Long v = n.positive(m.get("cost"), "cost");
      o = v == null ? o : o.withCost(v);
    }
    return n.errors().size() > before ? null : o;
  }

  private Refusal refusal(Node node, String what) {
    Map<String, Node> m = n.mapping(node, REFUSAL, what);
    if (m == null) {
      return null;
    }
    Refusal r = Refusal.empty();
    int before = n.errors().size();
    Node status = m.get("status");
    if (status != null) {
      Long s = n.integer(status, "status");
      if (s != null && (s < 400 || s > 599)) {
        n.error(status, "status must be in 400..599 (was " + s + ")");
      } else if (s != null) {
        r = r.withStatus(s.intValue());
      }
    }
    if (m.containsKey("headers")) {
      List<HeaderSet> sets = new ArrayList<>();
      for (Node h : n.sequence(m.get("headers"), "headers")) {
        String text = n.scalar(h, "a header set");
        HeaderSet set = text == null ? null : HeaderSet.fromText(text);
        if (text != null && set == null) {
          List<String> known = new ArrayList<>();
          for (HeaderSet hs : HeaderSet.values()) {
            known.add(hs.text());
          }
          n.error(h, "unknown header set '" + text + "'" + Nodes.suggest(text, known) + " (" + String.join(", ", known) + ")");
        } else if (set != null) {
          sets.add(set);
        }
      }
      r = r.withHeaders(sets);
    }
    if (m.containsKey("content-type")) {
      String ct = n.scalar(m.get("content-type"), "content-type");
      r = ct == null ? r : r.withContentType(ct);
    }
    if (m.containsKey("body")) {
      String body = n.scalar(m.get("body"), "body");
      r = body == null ? r : r.withBody(body);
    }
    return n.errors().size() > before ? null : r;
  }

  private Ban ban(Node node) {
    Map<String, Node> m = n.mapping(node, BAN, "ban");
    if (m == null) {
      return null;
    }
    int before = n.errors().size();
    List<List<KeyPart>> key = m.containsKey("key") ? keyChains(m.get("key")) : List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP)));
    for (String required : List.of("after", "within", "for")) {
      if (!m.containsKey(required)) {
        n.error(node, "ban needs '" + required + "'");
      }
    }
    Long after = m.containsKey("after") ? n.positive(m.get("after"), "after") : null;
    Duration within = m.containsKey("within") ? n.duration(m.get("within"), "within") : null;
    Duration duration = m.containsKey("for") ? n.duration(m.get("for"), "for") : null;
    int status = 403;
    if (m.containsKey("status")) {
      Long s = n.integer(m.get("status"), "status");
      if (s != null && (s < 400 || s > 599)) {
        n.error(m.get("status"), "status must be in 400..599 (was " + s + ")");
      } else if (s != null) {
        status = s.intValue();
      }
    }
    String contentType = m.containsKey("content-type") ? n.scalar(m.get("content-type"), "content-type") : "application/json";
    String body = m.containsKey("body") ? n.scalar(m.get("body"), "body") : Ban.DEFAULT_BODY;
    if (n.errors().size() > before || key == null || after == null || within == null || duration == null) {
      return null;
    }
    return new Ban(key, after, Nodes.text(m.get("within")), Nodes.text(m.get("for")), status,
        contentType, body);
  }

  private List<List<KeyPart>> keyChains(Node node) {
    List<List<KeyPart>> chains = new ArrayList<>();
    int before = n.errors().size();
    for (Node c : n.sequence(node, "key")) {
      String text = n.scalar(c, "a key part");
      if (text == null) {
        continue;
      }
      List<KeyPart> chain = new ArrayList<>();
      for (String p : text.split("\\|", -1)) {
        String part = p.trim();
        try {
          chain.add(KeyPart.parse(part));
        } catch (IllegalArgumentException e) {
          n.error(c, e.getMessage() + Nodes.suggest(part, List.of("client-ip", "route", "method", "path", "api-key", "tenant")));
        }
      }
      chains.add(chain);
    }
    return n.errors().size() > before ? null : chains;
  }

}
