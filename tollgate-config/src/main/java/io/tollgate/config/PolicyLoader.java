package io.tollgate.config;

import io.tollgate.core.Algorithm;
import io.tollgate.core.Ban;
import io.tollgate.core.Cidr;
import io.tollgate.core.Durations;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitOverride;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.Refusal;
import io.tollgate.core.Route;
import io.tollgate.core.Tenants;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a policy file (YAML, so JSON too) into a {@link PolicyFile}. Every error of the file is
 * collected, each at its {@code file:line:col}, and thrown together; a file with any error yields
 * nothing. The file's format is docs/policy-file.md.
 *
 * <p>{@code ${NAME}} and {@code ${NAME:-default}} are replaced from the environment before parsing,
 * for names of upper-case letters, digits and underscores: lower-case placeholders such as
 * {@code ${limit}} belong to refusal body templates and are left alone.
 */
public final class PolicyLoader {

  private static final Pattern ENV = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(:-([^}]*))?}");

  private static final List<String> TOP = List.of("listen", "upstream", "upstream-timeout", "trusted-proxies", "store",
      "redis", "max-keys", "tenants", "refusal", "status-endpoint", "allow", "deny", "ban", "routes", "limits");
  private static final List<String> TENANTS = List.of("api-key", "map", "overrides");
  private static final List<String> OVERRIDE = List.of("limit", "window", "burst", "concurrency", "cost");
  private static final List<String> REFUSAL = List.of("status", "headers", "content-type", "body");
  private static final List<String> BAN = List.of("key", "after", "within", "for", "status", "content-type", "body");
  private static final List<String> REDIS = List.of("timeout", "on-failure", "clock", "lease-ttl", "key-prefix");
  private static final List<String> ROUTE = List.of("name", "match");
  private static final List<String> LIMIT = List.of("name", "routes", "methods", "paths", "key", "limit", "window",
      "algorithm", "burst", "concurrency", "cost", "uncounted-statuses", "mode", "refusal");

  private final String file;
  private final List<PolicyError> errors = new ArrayList<>();

  private PolicyLoader(String file) {
    this.file = file;
  }

  /** Reads the file at {@code path}, substituting from the process environment. */
  public static PolicyFile load(Path path) throws PolicyException {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PolicyException(List.of(new PolicyError(path.toString(), 1, 1, "cannot read the file: " + e)));
    }
    return parse(text, path.toString(), System.getenv());
  }

  /**
   * Reads policy text.
   *
   * @param source the file name errors are reported against
   * @param env the environment for {@code ${NAME}}
   */
  public static PolicyFile parse(String text, String source, Map<String, String> env) throws PolicyException {
    PolicyLoader loader = new PolicyLoader(source);
    String substituted = loader.substitute(text, env);
    PolicyFile result = null;
    if (loader.errors.isEmpty()) {
      result = loader.read(substituted);
    }
    if (!loader.errors.isEmpty()) {
      List<PolicyError> sorted = new ArrayList<>(loader.errors);
      sorted.sort((a, b) -> a.line() != b.line() ? Integer.compare(a.line(), b.line()) : Integer.compare(a.column(), b.column()));
      throw new PolicyException(sorted);
    }
    return result;
  }

  private String substitute(String text, Map<String, String> env) {
    String[] lines = text.split("\n", -1);
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      Matcher m = ENV.matcher(lines[i]);
      StringBuilder line = new StringBuilder();
      while (m.find()) {
        String value = env.get(m.group(1));
        if (value == null) {
          value = m.group(3);
        }
        if (value == null) {
          errors.add(new PolicyError(file, i + 1, m.start() + 1, "environment variable '" + m.group(1)
              + "' is not set (set it, or write ${" + m.group(1) + ":-default})"));
          value = "";
        }
        m.appendReplacement(line, Matcher.quoteReplacement(value));
      }
      m.appendTail(line);
      out.append(line);
      if (i < lines.length - 1) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  // ---- reading

  private PolicyFile read(String text) {
    Node root;
    try {
      LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(true).build();
      root = new Compose(settings).composeString(text).orElse(null);
    } catch (MarkedYamlEngineException e) {
      Mark m = e.getProblemMark().orElse(e.getContextMark().orElse(null));
      errors.add(new PolicyError(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1,
          "not valid YAML: " + e.getProblem()));
      return null;
    } catch (YamlEngineException e) {
      errors.add(new PolicyError(file, 1, 1, "not valid YAML: " + e.getMessage()));
      return null;
    }
    if (root == null || isNull(root)) {
      errors.add(new PolicyError(file, 1, 1, "the policy file is empty (it needs at least 'limits')"));
      return null;
    }
    Map<String, Node> top = mapping(root, TOP, "the policy file");
    if (top == null) {
      return null;
    }
    Policy.Builder policy = Policy.builder();

    String listenHost = null;
    int listenPort = 8080;
    Node listen = top.get("listen");
    if (listen != null) {
      String l = scalar(listen, "listen");
      if (l != null) {
        int colon = l.lastIndexOf(':');
        String portText = colon < 0 ? l : l.substring(colon + 1);
        try {
          listenPort = Integer.parseInt(portText);
          if (listenPort < 0 || listenPort > 65535) {
            throw new NumberFormatException();
          }
          listenHost = colon < 0 ? null : l.substring(0, colon);
        } catch (NumberFormatException e) {
          error(listen, "listen must be a port or host:port (was '" + l + "')");
        }
      }
    }
    String upstream = "http://127.0.0.1:9000";
    Node up = top.get("upstream");
    if (up != null) {
      String u = scalar(up, "upstream");
      if (u != null) {
        if (!u.equals(PolicyFile.ECHO) && !u.startsWith("http://") && !u.startsWith("https://")) {
          error(up, "upstream must be an http:// or https:// URL, or 'echo' (was '" + u + "')");
        }
        upstream = u;
      }
    }
    Duration upstreamTimeout = Duration.ofSeconds(30);
    if (top.containsKey("upstream-timeout")) {
      Duration d = duration(top.get("upstream-timeout"), "upstream-timeout");
      if (d != null) {
        upstreamTimeout = d;
      }
    }
    List<Cidr> trusted = cidrs(top.get("trusted-proxies"), "trusted-proxies");
    String store = "memory";
    Node st = top.get("store");
    if (st != null) {
      String s = scalar(st, "store");
      if (s != null) {
        if (!s.equals("memory") && !s.startsWith("redis://") && !s.startsWith("rediss://") && !s.startsWith("redis-cluster://")) {
          error(st, "store must be 'memory', redis://host:port[/db], rediss://… or redis-cluster://host:port,host:port (was '" + s + "')");
        }
        store = s;
      }
    }
    PolicyFile.RedisSettings redis = PolicyFile.RedisSettings.DEFAULTS;
    if (top.containsKey("redis")) {
      redis = redis(top.get("redis"));
      if (store.equals("memory") && st != null) {
        error(top.get("redis"), "the 'redis' block applies to a Redis store, and store is 'memory'");
      }
    }
    long maxKeys = 1_000_000;
    if (top.containsKey("max-keys")) {
      Long m = positive(top.get("max-keys"), "max-keys");
      if (m != null) {
        maxKeys = m;
      }
    }
    Node se = top.get("status-endpoint");
    if (se != null) {
      String s = scalar(se, "status-endpoint");
      if (s != null) {
        attempt(se, () -> policy.statusEndpoint(s));
      }
    }
    for (Cidr c : cidrs(top.get("allow"), "allow")) {
      policy.allow(c.toString());
    }
    for (Cidr c : cidrs(top.get("deny"), "deny")) {
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
    for (Node r : sequence(top.get("routes"), "routes")) {
      Route route = route(r, routeNames);
      if (route != null) {
        policy.route(route);
      }
    }
    Map<String, Limit> limits = new LinkedHashMap<>();
    Map<String, Node> limitNodes = new HashMap<>();
    boolean keyedByTenant = false;
    Node keyedByTenantAt = null;
    if (!top.containsKey("limits")) {
      errors.add(new PolicyError(file, 1, 1, "the policy has no 'limits'"));
    }
    for (Node l : sequence(top.get("limits"), "limits")) {
      Limit limit = limit(l, routeNames, limits.keySet());
      if (limit != null) {
        limits.put(limit.name(), limit);
        limitNodes.put(limit.name(), l);
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
      error(keyedByTenantAt, "this limit is keyed by tenant or api-key, but the file has no 'tenants' block "
          + "(add tenants.api-key: header:NAME)");
    }
    if (!errors.isEmpty()) {
      return null;
    }
    try {
      return new PolicyFile(file, policy.build(), listenHost, listenPort, upstream, upstreamTimeout, trusted, store, redis, maxKeys);
    } catch (IllegalArgumentException e) {
      error(root, e.getMessage()); // every check with a position ran above; this is a backstop
      return null;
    }
  }

  private PolicyFile.RedisSettings redis(Node node) {
    Map<String, Node> m = mapping(node, REDIS, "redis");
    PolicyFile.RedisSettings d = PolicyFile.RedisSettings.DEFAULTS;
    Duration timeout = m.containsKey("timeout") ? duration(m.get("timeout"), "timeout") : d.timeout();
    String onFailure = word(m.get("on-failure"), "on-failure", List.of("allow", "deny", "local"), d.onFailure());
    String clock = word(m.get("clock"), "clock", List.of("redis", "local"), d.clock());
    Duration leaseTtl = m.containsKey("lease-ttl") ? duration(m.get("lease-ttl"), "lease-ttl") : d.leaseTtl();
    String prefix = d.keyPrefix();
    Node p = m.get("key-prefix");
    if (p != null) {
      String text = scalar(p, "key-prefix");
      if (text != null && (text.isEmpty() || text.contains("{") || text.contains("}"))) {
        error(p, "key-prefix must be non-empty, without braces (it becomes the hash tag {" + text + "})");
      } else if (text != null) {
        prefix = text;
      }
    }
    return new PolicyFile.RedisSettings(timeout == null ? d.timeout() : timeout, onFailure, clock,
        leaseTtl == null ? d.leaseTtl() : leaseTtl, prefix);
  }

  /** One of {@code words}, or {@code otherwise} when absent or wrong (with an error). */
  private String word(Node node, String what, List<String> words, String otherwise) {
    if (node == null) {
      return otherwise;
    }
    String text = scalar(node, what);
    if (text == null) {
      return otherwise;
    }
    if (!words.contains(text)) {
      error(node, what + " must be " + String.join(", ", words.subList(0, words.size() - 1)) + " or "
          + words.get(words.size() - 1) + " (was '" + text + "')" + suggest(text, words));
      return otherwise;
    }
    return text;
  }

  private Route route(Node node, Set<String> names) {
    Map<String, Node> m = mapping(node, ROUTE, "a route");
    if (m == null) {
      return null;
    }
    String name = requiredName(m, node, "route");
    List<String> patterns = new ArrayList<>();
    Node match = m.get("match");
    if (match == null) {
      error(node, "route" + (name == null ? "" : " '" + name + "'") + " needs 'match' (a list of patterns)");
    }
    for (Node p : sequence(match, "match")) {
      String text = scalar(p, "a pattern");
      if (text != null && attempt(p, () -> Route.of("x", text))) {
        patterns.add(text);
      }
    }
    if (name == null || patterns.isEmpty()) {
      return null;
    }
    if (!names.add(name)) {
      error(m.get("name"), name.equals(Route.DEFAULT)
          ? "'default' is the route of requests that match no route; name this route otherwise"
          : "duplicate route name '" + name + "'");
      return null;
    }
    return Route.of(name, patterns);
  }

  private Limit limit(Node node, Set<String> routeNames, Set<String> limitNames) {
    int beforeMapping = errors.size();
    Map<String, Node> m = mapping(node, LIMIT, "a limit");
    boolean misspelt = errors.size() > beforeMapping; // then "needs 'window'" would only repeat it
    if (m == null) {
      return null;
    }
    String name = requiredName(m, node, "limit");
    if (name == null) {
      return null;
    }
    int before = beforeMapping;
    if (limitNames.contains(name)) {
      error(m.get("name"), "duplicate limit name '" + name + "'");
    }
    Limit.Builder b = Limit.builder(name);
    if (m.containsKey("routes")) {
      List<String> rs = new ArrayList<>();
      for (Node r : sequence(m.get("routes"), "routes")) {
        String rn = scalar(r, "a route name");
        if (rn != null && !routeNames.contains(rn)) {
          error(r, "unknown route '" + rn + "'" + suggest(rn, routeNames) + " (routes: " + String.join(", ", routeNames) + ")");
        } else if (rn != null) {
          rs.add(rn);
        }
      }
      b.routes(rs);
    }
    if (m.containsKey("methods")) {
      List<String> ms = strings(m.get("methods"), "methods");
      attempt(m.get("methods"), () -> b.methods(ms.toArray(new String[0])));
    }
    if (m.containsKey("paths")) {
      List<String> ps = new ArrayList<>();
      for (Node p : sequence(m.get("paths"), "paths")) {
        String text = scalar(p, "a path pattern");
        if (text != null && attempt(p, () -> b.paths(text))) {
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
          error(keyNode(node, other), "'" + other + "' does not go with 'concurrency': a concurrency limit counts "
              + "requests in flight, not units per window (remove one of them)");
        }
      }
      Long c = positive(concurrency, "concurrency");
      if (c != null) {
        attempt(concurrency, () -> b.concurrency(c.intValue()));
      }
    } else {
      if (!m.containsKey("limit") && !misspelt) {
        error(node, "limit '" + name + "' needs 'limit' (units per window) or 'concurrency'");
      }
      if (!m.containsKey("window") && !misspelt) {
        error(node, "limit '" + name + "' needs 'window' (e.g. 1m)");
      }
      Long l = positive(m.get("limit"), "limit");
      if (l != null) {
        b.limit(l);
      }
      Node w = m.get("window");
      Duration d = w == null ? null : duration(w, "window");
      if (d != null) {
        attempt(w, () -> b.window(((ScalarNode) w).getValue()));
      }
      Node a = m.get("algorithm");
      if (a != null) {
        String text = scalar(a, "algorithm");
        Algorithm alg = text == null ? null : Algorithm.fromText(text);
        if (text != null && (alg == null || alg == Algorithm.CONCURRENCY)) {
          error(a, "unknown algorithm '" + text + "'" + suggest(text, List.of("fixed-window", "sliding-window", "token-bucket"))
              + " (fixed-window, sliding-window or token-bucket; for requests in flight write 'concurrency: N')");
        } else if (alg != null) {
          b.algorithm(alg);
        }
        if (alg == Algorithm.SLIDING_WINDOW && l != null && l > Integer.MAX_VALUE) {
          error(m.get("limit"), "a sliding-window limit must be at most " + Integer.MAX_VALUE);
        }
      }
      Node burst = m.get("burst");
      if (burst != null) {
        Long bu = positive(burst, "burst");
        if (bu != null) {
          if (!(a instanceof ScalarNode) || !"token-bucket".equals(((ScalarNode) a).getValue())) {
            error(burst, "'burst' applies to algorithm: token-bucket only");
          }
          b.burst(bu);
        }
      }
    }
    if (m.containsKey("cost")) {
      Long c = positive(m.get("cost"), "cost");
      if (c != null) {
        b.cost(c);
      }
    }
    if (m.containsKey("uncounted-statuses")) {
      List<String> ss = new ArrayList<>();
      for (Node s : sequence(m.get("uncounted-statuses"), "uncounted-statuses")) {
        String text = scalar(s, "a status");
        if (text != null && attempt(s, () -> Limit.builder("x").uncountedStatuses(text))) {
          ss.add(text);
        }
      }
      b.uncountedStatuses(ss);
    }
    Node mode = m.get("mode");
    if (mode != null) {
      String text = scalar(mode, "mode");
      if ("enforce".equals(text)) {
        b.mode(Mode.ENFORCE);
      } else if ("shadow".equals(text)) {
        b.mode(Mode.SHADOW);
      } else if (text != null) {
        error(mode, "unknown mode '" + text + "' (enforce or shadow)");
      }
    }
    if (m.containsKey("refusal")) {
      Refusal r = refusal(m.get("refusal"), "refusal");
      if (r != null) {
        b.refusal(r);
      }
    }
    if (errors.size() > before) {
      return null;
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      error(node, e.getMessage());
      return null;
    }
  }

  private Tenants tenants(Node node, Map<String, Limit> limits) {
    Map<String, Node> m = mapping(node, TENANTS, "tenants");
    if (m == null) {
      return null;
    }
    Node ak = m.get("api-key");
    if (ak == null) {
      error(node, "tenants needs 'api-key' (where the API key is read: header:NAME or query:NAME)");
      return null;
    }
    String where = scalar(ak, "api-key");
    Tenants.Builder[] b = new Tenants.Builder[1];
    if (where == null || !attempt(ak, () -> b[0] = Tenants.builder(where))) {
      return null;
    }
    Map<String, String> owner = new HashMap<>();
    Node map = m.get("map");
    Map<String, Node> tenants = map == null ? Map.of() : mapping(map, null, "tenants.map");
    if (tenants == null) {
      return null;
    }
    for (Map.Entry<String, Node> e : tenants.entrySet()) {
      List<String> keys = new ArrayList<>();
      for (Node k : sequence(e.getValue(), "the API keys of '" + e.getKey() + "'")) {
        String key = scalar(k, "an API key");
        if (key == null) {
          continue;
        }
        String other = owner.putIfAbsent(key, e.getKey());
        if (other != null && !other.equals(e.getKey())) {
          error(k, "API key '" + key + "' already belongs to tenant '" + other + "'");
        }
        keys.add(key);
      }
      b[0].tenant(e.getKey(), keys);
    }
    Node ov = m.get("overrides");
    Map<String, Node> overrides = ov == null ? Map.of() : mapping(ov, null, "tenants.overrides");
    if (overrides == null) {
      return null;
    }
    for (Map.Entry<String, Node> e : overrides.entrySet()) {
      if (!tenants.containsKey(e.getKey())) {
        error(keyNode(ov, e.getKey()), "override for unknown tenant '" + e.getKey() + "'" + suggest(e.getKey(), tenants.keySet()));
        continue;
      }
      Map<String, Node> perLimit = mapping(e.getValue(), null, "the overrides of '" + e.getKey() + "'");
      if (perLimit == null) {
        continue;
      }
      for (Map.Entry<String, Node> o : perLimit.entrySet()) {
        Limit limit = limits.get(o.getKey());
        if (limit == null) {
          error(keyNode(e.getValue(), o.getKey()), "override of unknown limit '" + o.getKey() + "'"
              + suggest(o.getKey(), limits.keySet()));
          continue;
        }
        LimitOverride lo = override(o.getValue());
        if (lo != null && attempt(o.getValue(), () -> limit.withOverride(lo))) {
          b[0].override(e.getKey(), o.getKey(), lo);
        }
      }
    }
    Tenants[] out = new Tenants[1];
    attempt(node, () -> out[0] = b[0].build());
    return out[0];
  }

  private LimitOverride override(Node node) {
    Map<String, Node> m = mapping(node, OVERRIDE, "an override");
    if (m == null) {
      return null;
    }
    LimitOverride o = LimitOverride.none();
    int before = errors.size();
    if (m.containsKey("limit")) {
      Long v = positive(m.get("limit"), "limit");
      o = v == null ? o : o.withLimit(v);
    }
    if (m.containsKey("window")) {
      Duration d = duration(m.get("window"), "window");
      o = d == null ? o : o.withWindow(((ScalarNode) m.get("window")).getValue());
    }
    if (m.containsKey("burst")) {
      Long v = positive(m.get("burst"), "burst");
      o = v == null ? o : o.withBurst(v);
    }
    if (m.containsKey("concurrency")) {
      Long v = positive(m.get("concurrency"), "concurrency");
      o = v == null ? o : o.withConcurrency(v.intValue());
    }
    if (m.containsKey("cost")) {
      Long v = positive(m.get("cost"), "cost");
      o = v == null ? o : o.withCost(v);
    }
    return errors.size() > before ? null : o;
  }

  private Refusal refusal(Node node, String what) {
    Map<String, Node> m = mapping(node, REFUSAL, what);
    if (m == null) {
      return null;
    }
    Refusal r = Refusal.empty();
    int before = errors.size();
    Node status = m.get("status");
    if (status != null) {
      Long s = integer(status, "status");
      if (s != null && (s < 400 || s > 599)) {
        error(status, "status must be in 400..599 (was " + s + ")");
      } else if (s != null) {
        r = r.withStatus(s.intValue());
      }
    }
    if (m.containsKey("headers")) {
      List<HeaderSet> sets = new ArrayList<>();
      for (Node h : sequence(m.get("headers"), "headers")) {
        String text = scalar(h, "a header set");
        HeaderSet set = text == null ? null : HeaderSet.fromText(text);
        if (text != null && set == null) {
          List<String> known = new ArrayList<>();
          for (HeaderSet hs : HeaderSet.values()) {
            known.add(hs.text());
          }
          error(h, "unknown header set '" + text + "'" + suggest(text, known) + " (" + String.join(", ", known) + ")");
        } else if (set != null) {
          sets.add(set);
        }
      }
      r = r.withHeaders(sets);
    }
    if (m.containsKey("content-type")) {
      String ct = scalar(m.get("content-type"), "content-type");
      r = ct == null ? r : r.withContentType(ct);
    }
    if (m.containsKey("body")) {
      String body = scalar(m.get("body"), "body");
      r = body == null ? r : r.withBody(body);
    }
    return errors.size() > before ? null : r;
  }

  private Ban ban(Node node) {
    Map<String, Node> m = mapping(node, BAN, "ban");
    if (m == null) {
      return null;
    }
    int before = errors.size();
    List<List<KeyPart>> key = m.containsKey("key") ? keyChains(m.get("key")) : List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP)));
    for (String required : List.of("after", "within", "for")) {
      if (!m.containsKey(required)) {
        error(node, "ban needs '" + required + "'");
      }
    }
    Long after = m.containsKey("after") ? positive(m.get("after"), "after") : null;
    Duration within = m.containsKey("within") ? duration(m.get("within"), "within") : null;
    Duration duration = m.containsKey("for") ? duration(m.get("for"), "for") : null;
    int status = 403;
    if (m.containsKey("status")) {
      Long s = integer(m.get("status"), "status");
      if (s != null && (s < 400 || s > 599)) {
        error(m.get("status"), "status must be in 400..599 (was " + s + ")");
      } else if (s != null) {
        status = s.intValue();
      }
    }
    String contentType = m.containsKey("content-type") ? scalar(m.get("content-type"), "content-type") : "application/json";
    String body = m.containsKey("body") ? scalar(m.get("body"), "body") : Ban.DEFAULT_BODY;
    if (errors.size() > before || key == null || after == null || within == null || duration == null) {
      return null;
    }
    return new Ban(key, after, ((ScalarNode) m.get("within")).getValue(), ((ScalarNode) m.get("for")).getValue(), status,
        contentType, body);
  }

  private List<List<KeyPart>> keyChains(Node node) {
    List<List<KeyPart>> chains = new ArrayList<>();
    int before = errors.size();
    for (Node c : sequence(node, "key")) {
      String text = scalar(c, "a key part");
      if (text == null) {
        continue;
      }
      List<KeyPart> chain = new ArrayList<>();
      for (String p : text.split("\\|", -1)) {
        String part = p.trim();
        try {
          chain.add(KeyPart.parse(part));
        } catch (IllegalArgumentException e) {
          error(c, e.getMessage() + suggest(part, List.of("client-ip", "route", "method", "path", "api-key", "tenant")));
        }
      }
      chains.add(chain);
    }
    return errors.size() > before ? null : chains;
  }

  // ---- typed access with positions

  /** The keys of a mapping, in order; unknown keys (when {@code allowed} is given) and duplicates are errors. */
  private Map<String, Node> mapping(Node node, List<String> allowed, String what) {
    if (node == null || isNull(node)) {
      return new LinkedHashMap<>();
    }
    if (!(node instanceof MappingNode)) {
      error(node, what + " must be a mapping (key: value), not " + describe(node));
      return null;
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : ((MappingNode) node).getValue()) {
      Node k = t.getKeyNode();
      if (!(k instanceof ScalarNode)) {
        error(k, "keys of " + what + " must be plain words");
        continue;
      }
      String key = ((ScalarNode) k).getValue();
      if (allowed != null && !allowed.contains(key)) {
        error(k, "unknown key '" + key + "'" + suggest(key, allowed) + " in " + what);
        continue;
      }
      if (out.containsKey(key)) {
        error(k, "duplicate key '" + key + "' in " + what);
        continue;
      }
      out.put(key, t.getValueNode());
    }
    return out;
  }

  private Node keyNode(Node mapping, String key) {
    if (mapping instanceof MappingNode) {
      for (NodeTuple t : ((MappingNode) mapping).getValue()) {
        if (t.getKeyNode() instanceof ScalarNode && ((ScalarNode) t.getKeyNode()).getValue().equals(key)) {
          return t.getKeyNode();
        }
      }
    }
    return mapping;
  }

  /** The items of a list; a single scalar counts as a list of one; absent or null is empty. */
  private List<Node> sequence(Node node, String what) {
    if (node == null || isNull(node)) {
      return List.of();
    }
    if (node instanceof SequenceNode) {
      return ((SequenceNode) node).getValue();
    }
    if (node instanceof ScalarNode) {
      return List.of(node);
    }
    error(node, what + " must be a list, not " + describe(node));
    return List.of();
  }

  private List<String> strings(Node node, String what) {
    List<String> out = new ArrayList<>();
    for (Node n : sequence(node, what)) {
      String s = scalar(n, what);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private String scalar(Node node, String what) {
    if (node instanceof ScalarNode && !isNull(node)) {
      return ((ScalarNode) node).getValue();
    }
    error(node, what + " must be a single value, not " + describe(node));
    return null;
  }

  private Long integer(Node node, String what) {
    String s = scalar(node, what);
    if (s == null) {
      return null;
    }
    if (!Tag.INT.equals(node.getTag())) {
      error(node, what + " must be a whole number (was '" + s + "')");
      return null;
    }
    try {
      return Long.parseLong(s.replace("_", ""));
    } catch (NumberFormatException e) {
      error(node, what + " must be a whole number (was '" + s + "')");
      return null;
    }
  }

  private Long positive(Node node, String what) {
    Long v = integer(node, what);
    if (v != null && v <= 0) {
      error(node, what + " must be > 0 (was " + v + ")");
      return null;
    }
    return v;
  }

  private Duration duration(Node node, String what) {
    String s = scalar(node, what);
    if (s == null) {
      return null;
    }
    try {
      Duration d = Durations.parse(s);
      if (d.toMillis() < 1) {
        error(node, what + " must be at least 1ms (was '" + s + "')");
        return null;
      }
      return d;
    } catch (IllegalArgumentException e) {
      error(node, what + ": " + e.getMessage());
      return null;
    }
  }

  private List<Cidr> cidrs(Node node, String what) {
    List<Cidr> out = new ArrayList<>();
    for (Node n : sequence(node, what)) {
      String s = scalar(n, "a CIDR");
      if (s == null) {
        continue;
      }
      try {
        out.add(Cidr.parse(s));
      } catch (IllegalArgumentException e) {
        error(n, e.getMessage());
      }
    }
    return out;
  }

  private String requiredName(Map<String, Node> m, Node node, String what) {
    Node n = m.get("name");
    if (n == null) {
      error(node, "a " + what + " needs a 'name'");
      return null;
    }
    String name = scalar(n, "name");
    if (name != null && name.isEmpty()) {
      error(n, "name must not be empty");
      return null;
    }
    return name;
  }

  /** Runs a builder step; its IllegalArgumentException becomes an error at {@code node}. */
  private boolean attempt(Node node, Runnable step) {
    try {
      step.run();
      return true;
    } catch (IllegalArgumentException e) {
      error(node, e.getMessage());
      return false;
    }
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return isNull(node) ? "nothing" : "'" + ((ScalarNode) node).getValue() + "'";
  }

  private void error(Node node, String message) {
    Mark m = node == null ? null : node.getStartMark().orElse(null);
    errors.add(new PolicyError(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, message));
  }

  /** {@code " (did you mean 'window'?)"} when one candidate is within two edits, else empty. */
  static String suggest(String word, Iterable<String> candidates) {
    String best = null;
    int bestDistance = 3;
    for (String c : candidates) {
      int d = distance(word, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
