package io.tollgate.envoy;

import io.tollgate.config.envoy.RlsConfig;
import io.tollgate.config.envoy.RlsLimit;
import io.tollgate.config.envoy.RlsRule;
import io.tollgate.core.Algorithm;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.Limit;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.Refusal;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * envoyproxy/ratelimit's configuration as limits of Tollgate's engine: one limit per rule that counts
 * (named by the rule's {@code name}, or its descriptor path {@code domain.key_value} when it has none
 * or shares it), and one per unit for the limit overrides Envoy sends with a descriptor. Every
 * counter of a limit is keyed by the domain and the descriptor's entries, so a wildcard or key-only
 * rule counts each value apart, as envoyproxy/ratelimit does. The process builds its engine from
 * {@link #policy()} over its store, and hands both to {@link RlsServer}. Immutable.
 */
public final class RlsLimits {

  private final RlsConfig config;
  private final Policy policy;
  private final Map<RlsRule, String> names = new IdentityHashMap<>();
  private final Map<RlsLimit.Unit, String> overrides = new EnumMap<>(RlsLimit.Unit.class);

  /**
   * The limits of {@code config}.
   *
   * @param headers the header sets each answer carries in {@code response_headers_to_add}
   * @param taken names the engine must not give a rule (the policy file's own limits)
   */
  public static RlsLimits of(RlsConfig config, List<HeaderSet> headers, java.util.Set<String> taken) {
    return new RlsLimits(config, headers, taken);
  }

  private RlsLimits(RlsConfig config, List<HeaderSet> headers, java.util.Set<String> taken) {
    this.config = config;
    Map<String, Integer> byName = new HashMap<>();
    for (RlsRule r : config.rules()) {
      if (r.limit().name() != null) {
        byName.merge(r.limit().name(), 1, Integer::sum);
      }
    }
    java.util.Set<String> used = new java.util.HashSet<>(taken);
    Policy.Builder b = Policy.builder().refusal(Refusal.empty().withHeaders(headers));
    for (RlsRule r : config.rules()) {
      RlsLimit l = r.limit();
      if (l.unlimited() || l.requestsPerUnit() == 0) {
        continue; // nothing to count: unlimited answers OK, a quota of 0 refuses without a counter
      }
      String name = l.name() != null && byName.get(l.name()) == 1 && !used.contains(l.name()) ? l.name() : r.path();
      used.add(name);
      names.put(r, name);
      Limit.Builder limit = Limit.builder(name).algorithm(l.algorithm()).limit(l.requestsPerUnit())
          .window(l.unit().window()).mode(r.shadowMode() ? Mode.SHADOW : Mode.ENFORCE);
      if (l.algorithm() == Algorithm.TOKEN_BUCKET && l.burst() > 0) {
        limit.burst(l.burst());
      }
      b.limit(limit.build());
    }
    for (RlsLimit.Unit u : RlsLimit.Unit.values()) {
      String name = "override-" + u.name().toLowerCase(Locale.ROOT);
      while (used.contains(name)) {
        name = "_" + name;
      }
      used.add(name);
      overrides.put(u, name);
      b.limit(Limit.builder(name).limit(1).window(u.window()).build()); // the number comes with each request
    }
    this.policy = b.build();
  }

  /** The configuration these limits were made from. */
  public RlsConfig config() {
    return config;
  }

  /** The engine's policy: every counting rule, and the override limit of each unit. */
  public Policy policy() {
    return policy;
  }

  /** The engine limit of a rule that counts. */
  String limitOf(RlsRule rule) {
    return names.get(rule);
  }

  /** The engine limit that counts descriptors with a limit override in {@code unit}. */
  String overrideLimit(RlsLimit.Unit unit) {
    return overrides.get(unit);
  }

  /**
   * The counter key of a descriptor: its domain and entries, {@code domain|key=value|key=value}, with
   * {@code \}, {@code |} and {@code =} inside keys and values escaped so that no two descriptors share one.
   */
  static String key(String domain, List<io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.Entry>
      entries) {
    StringBuilder s = new StringBuilder(domain.length() + 16 * entries.size());
    escape(s, domain);
    for (int i = 0; i < entries.size(); i++) {
      s.append('|');
      escape(s, entries.get(i).getKey());
      s.append('=');
      escape(s, entries.get(i).getValue());
    }
    return s.toString();
  }

  private static void escape(StringBuilder s, String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c == '|' || c == '=') {
        s.append('\\');
      }
      s.append(c);
    }
  }
}
