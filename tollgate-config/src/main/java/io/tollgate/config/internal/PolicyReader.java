package io.tollgate.config.internal;

import io.tollgate.core.Ban;
import io.tollgate.core.Cidr;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitOverride;
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
  private static final List<String> BAN = List.of("key", "after", "within", "for", "status", "content-type", "body");
  private static final List<String> ROUTE = List.of("name", "match");

  private final Nodes n;
  private final LimitReader limitReader;

  private PolicyReader(Nodes nodes) {
    this.n = nodes;
    this.limitReader = new LimitReader(nodes);
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
      Refusal r = limitReader.refusal(top.get("refusal"), "refusal");
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
    if (!top.containsKey("limits") && !top.containsKey("envoy-rls")) { // Envoy's configuration brings its own
      n.error(1, 1, "the policy has no 'limits'");
    }
    for (Node l : n.sequence(top.get("limits"), "limits")) {
      Limit limit = limitReader.limit(l, routeNames, limits.keySet());
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

  private Ban ban(Node node) {
    Map<String, Node> m = n.mapping(node, BAN, "ban");
    if (m == null) {
      return null;
    }
    int before = n.errors().size();
    List<List<KeyPart>> key = m.containsKey("key") ? limitReader.keyChains(m.get("key")) : List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP)));
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
      // a ban's status follows a refusal's rule: Refusal says what is allowed
      if (s != null && n.attempt(m.get("status"), () -> Refusal.empty().withStatus(LimitReader.clamp(s)))) {
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

}
