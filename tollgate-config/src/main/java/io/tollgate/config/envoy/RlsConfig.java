package io.tollgate.config.envoy;

import io.tollgate.config.PolicyException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * envoyproxy/ratelimit's configuration, read unchanged: domains, each a tree of descriptors
 * ({@link RlsRule}). {@link #match} finds the rule a request's descriptor falls under, as
 * envoyproxy/ratelimit does: entry by entry down the tree, at each level an exact {@code key} and
 * {@code value} first, then a wildcard value, then the {@code key} alone; the rule applies only when
 * the descriptor's entries end exactly at its depth. Immutable.
 */
public final class RlsConfig {

  private final Map<String, RlsRule> domains; // domain -> its top level (a rule with no key)
  private final Set<String> ignoredKeys;
  private final String sha256;

  RlsConfig(Map<String, RlsRule> domains, Set<String> ignoredKeys, String sha256) {
    this.domains = Map.copyOf(domains);
    this.ignoredKeys = Set.copyOf(ignoredKeys);
    this.sha256 = sha256;
  }

  /** A SHA-256 of the files read (names and bytes, in order), in hex: the same files, the same text. */
  public String sha256() {
    return sha256;
  }

  /**
   * Reads a configuration file, or every file of a directory (names starting with '.' left out, as
   * envoyproxy/ratelimit's runtime does), all or nothing.
   *
   * @throws PolicyException with every error at its file, line and column
   */
  public static RlsConfig load(Path fileOrDirectory) throws PolicyException {
    return RlsConfigReader.load(fileOrDirectory);
  }

  /** The domains, each by its name. */
  public Set<String> domains() {
    return domains.keySet();
  }

  /** Keys read and accepted that mean nothing here ({@code detailed_metric}, {@code quota_mode}, ...). */
  public Set<String> ignoredKeys() {
    return ignoredKeys;
  }

  /**
   * The rule whose limit applies to a descriptor of {@code domain} made of {@code entries} (key,
   * value), or {@code null} when none does (no rule, or the rule reached has no limit).
   */
  public RlsRule match(String domain, List<Map.Entry<String, String>> entries) {
    RlsRule level = domains.get(domain);
    if (level == null || entries.isEmpty()) {
      return null;
    }
    RlsRule found = null;
    for (int i = 0; i < entries.size(); i++) {
      Map.Entry<String, String> e = entries.get(i);
      found = level.child(e.getKey(), e.getValue() == null ? "" : e.getValue());
      if (found == null) {
        return null;
      }
      level = found;
    }
    return found.limit() == null ? null : found;
  }

  /** Every rule with a limit, depth first in file order: what becomes a limit of the engine. */
  public List<RlsRule> rules() {
    List<RlsRule> out = new java.util.ArrayList<>();
    for (RlsRule top : new java.util.TreeMap<>(domains).values()) {
      collect(top, out);
    }
    return out;
  }

  private static void collect(RlsRule r, List<RlsRule> out) {
    for (RlsRule c : r.inFileOrder) {
      if (c.limit() != null) {
        out.add(c);
      }
      collect(c, out);
    }
  }
}
