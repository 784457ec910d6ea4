package io.tollgate.config.internal;

import io.tollgate.core.Algorithm;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.Mode;
import io.tollgate.core.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;

/** Reads one entry of {@code limits:}, and the refusal blocks and key chains limits and bans share. */
final class LimitReader {

  private static final List<String> REFUSAL = List.of("status", "headers", "content-type", "body");
  private static final List<String> LIMIT = List.of("name", "routes", "methods", "paths", "key", "limit", "window",
      "algorithm", "burst", "concurrency", "cost", "uncounted-statuses", "mode", "refusal");

  private final Nodes n;

  LimitReader(Nodes nodes) {
    this.n = nodes;
  }

  Limit limit(Node node, Set<String> routeNames, Set<String> limitNames) {
    int beforeMapping = n.errors().size();
    Map<String, Node> m = n.mapping(node, LIMIT, "a limit");
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
      Long c = n.integer(concurrency, "concurrency");
      if (c != null) {
        n.attempt(concurrency, () -> b.concurrency(clamp(c)));
      }
    } else {
      Node limitNode = m.get("limit");
      Long l = limitNode == null ? null : n.integer(limitNode, "limit");
      if (l != null) {
        n.attempt(limitNode, () -> b.limit(l));
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
      }
      Node burst = m.get("burst");
      if (burst != null) {
        Long bu = n.integer(burst, "burst");
        if (bu != null && n.attempt(burst, () -> b.burst(bu))
            && (!(a instanceof ScalarNode) || !"token-bucket".equals(((ScalarNode) a).getValue()))) {
          // the builder refuses this too, at build(); here the error points at the key itself
          n.error(burst, "'burst' applies to algorithm: token-bucket only");
        }
      }
    }
    if (m.containsKey("cost")) {
      Long c = n.integer(m.get("cost"), "cost");
      if (c != null) {
        n.attempt(m.get("cost"), () -> b.cost(c));
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

  Refusal refusal(Node node, String what) {
    Map<String, Node> m = n.mapping(node, REFUSAL, what);
    if (m == null) {
      return null;
    }
    Refusal r = Refusal.empty();
    int before = n.errors().size();
    Node status = m.get("status");
    if (status != null) {
      Long s = n.integer(status, "status");
      Refusal[] withStatus = {r};
      if (s != null && n.attempt(status, () -> withStatus[0] = withStatus[0].withStatus(clamp(s)))) {
        r = withStatus[0];
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

  List<List<KeyPart>> keyChains(Node node) {
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

  /** A whole number from the file as an int for a builder: out of range stays out of range. */
  static int clamp(long v) {
    return (int) Math.max(Math.min(v, Integer.MAX_VALUE), Integer.MIN_VALUE);
  }
}
