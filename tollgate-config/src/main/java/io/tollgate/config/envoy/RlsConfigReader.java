package io.tollgate.config.envoy;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.internal.Nodes;
import io.tollgate.core.Algorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads envoyproxy/ratelimit's configuration files into an {@link RlsConfig}: every key its README
 * documents, Tollgate's {@code algorithm} and {@code burst}, each mistake at its file, line and
 * column; the files of a directory together, all or nothing.
 */
final class RlsConfigReader {

  private static final List<String> TOP = List.of("domain", "descriptors");
  private static final List<String> DESCRIPTOR = List.of("key", "value", "rate_limit", "descriptors", "shadow_mode",
      "detailed_metric", "value_to_metric", "share_threshold", "quota_mode", "metadata");
  private static final List<String> RATE_LIMIT = List.of("unit", "requests_per_unit", "unlimited", "name", "replaces",
      "algorithm", "burst");
  /** Read, and meaningless here: named once at start. */
  private static final List<String> IGNORED = List.of("detailed_metric", "value_to_metric", "share_threshold",
      "quota_mode", "metadata");

  private final Map<String, RlsRule> domains = new LinkedHashMap<>();
  private final Map<String, String> domainFiles = new LinkedHashMap<>();
  private final TreeSet<String> ignored = new TreeSet<>();
  private final List<PolicyError> errors = new ArrayList<>();
  private final java.security.MessageDigest digest = sha256();

  private RlsConfigReader() {}

  static RlsConfig load(Path fileOrDirectory) throws PolicyException {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(fileOrDirectory)) {
      try (Stream<Path> s = Files.list(fileOrDirectory)) {
        s.filter(p -> !p.getFileName().toString().startsWith(".") && Files.isRegularFile(p))
            .sorted(Comparator.comparing(Path::toString)).forEach(files::add);
      } catch (IOException e) {
        throw new PolicyException(List.of(new PolicyError(fileOrDirectory.toString(), 1, 1,
            "cannot read the directory: " + e.getMessage())));
      }
    } else {
      files.add(fileOrDirectory);
    }
    RlsConfigReader r = new RlsConfigReader();
    for (Path f : files) {
      r.file(f);
    }
    if (!r.errors.isEmpty()) {
      throw new PolicyException(r.errors);
    }
    return new RlsConfig(r.domains, r.ignored, java.util.HexFormat.of().formatHex(r.digest.digest()));
  }

  private static java.security.MessageDigest sha256() {
    try {
      return java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JRE has SHA-256
    }
  }

  private void file(Path path) {
    String text;
    try {
      byte[] bytes = Files.readAllBytes(path);
      digest.update(path.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(bytes);
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      errors.add(new PolicyError(path.toString(), 1, 1, "cannot read the file: " + e.getMessage()));
      return;
    }
    Nodes n = new Nodes(path.toString());
    Node root = n.compose(text);
    Map<String, Node> top = root == null ? null : n.mapping(root, TOP, "a ratelimit configuration file");
    if (top != null) {
      Node d = top.get("domain");
      String domain = d == null ? null : n.scalar(d, "domain");
      if (d == null) {
        n.error(root, "no 'domain': every ratelimit configuration file names its domain");
      } else if (domain != null && domain.isEmpty()) {
        n.error(d, "the domain must not be empty");
      } else if (domain != null && domains.containsKey(domain)) {
        n.error(d, "duplicate domain '" + domain + "' (also in " + domainFiles.get(domain) + ")");
      } else if (domain != null) {
        RlsRule level = new RlsRule("", null, null, false, domain);
        descriptors(n, top.get("descriptors"), level, domain);
        domains.put(domain, level);
        domainFiles.put(domain, path.toString());
      }
    }
    errors.addAll(n.errors());
  }

  private void descriptors(Nodes n, Node list, RlsRule parent, String parentPath) {
    for (Node item : n.sequence(list, "descriptors")) {
      Map<String, Node> m = n.mapping(item, DESCRIPTOR, "a descriptor");
      if (m == null) {
        continue;
      }
      for (String k : IGNORED) {
        if (m.containsKey(k)) {
          ignored.add(k);
        }
      }
      Node k = m.get("key");
      String key = k == null ? null : n.scalar(k, "key");
      if (k == null || key != null && key.isEmpty()) {
        n.error(k == null ? item : k, "a descriptor needs a non-empty 'key'");
        continue;
      }
      if (key == null) {
        continue;
      }
      Node v = m.get("value");
      String value = v == null ? null : n.scalar(v, "value");
      if (value != null && value.isEmpty()) {
        value = null; // an empty value is no value, as envoyproxy/ratelimit reads it
      }
      String composite = value == null ? key : key + "_" + value;
      String path = parentPath + "." + composite;
      boolean duplicate = value == null ? parent.keyOnly.containsKey(key)
          : parent.exact.containsKey(composite) || parent.wildcards.stream().anyMatch(w -> w.path().equals(path));
      if (duplicate) {
        n.error(k, "duplicate descriptor '" + path + "'");
        continue;
      }
      RlsLimit limit = m.containsKey("rate_limit") ? rateLimit(n, m.get("rate_limit")) : null;
      boolean shadow = m.containsKey("shadow_mode") && bool(n, m.get("shadow_mode"), "shadow_mode");
      RlsRule rule = new RlsRule(key, value, limit, shadow, path);
      parent.inFileOrder.add(rule);
      if (value == null) {
        parent.keyOnly.put(key, rule);
      } else if (rule.isWildcard()) {
        parent.wildcards.add(rule);
      } else {
        parent.exact.put(composite, rule);
      }
      descriptors(n, m.get("descriptors"), rule, path);
    }
  }

  private RlsLimit rateLimit(Nodes n, Node node) {
    Map<String, Node> m = n.mapping(node, RATE_LIMIT, "rate_limit");
    if (m == null) {
      return null;
    }
    boolean unlimited = m.containsKey("unlimited") && bool(n, m.get("unlimited"), "unlimited");
    RlsLimit.Unit unit = null;
    Node u = m.get("unit");
    if (u != null) {
      String word = n.scalar(u, "unit");
      if (unlimited) {
        n.error(u, "an unlimited rate_limit takes no unit");
      } else if (word != null) {
        try {
          unit = RlsLimit.Unit.valueOf(word.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          n.error(u, "invalid rate limit unit '" + word + "' (second, minute, hour, day, week, month or year)");
        }
      }
    } else if (!unlimited) {
      n.error(n.keyNode(node, "rate_limit"), "a rate_limit needs a unit (second, minute, hour, day, week, month or "
          + "year), or unlimited: true");
    }
    long perUnit = 0;
    Node r = m.get("requests_per_unit");
    if (r != null) {
      Long v = n.integer(r, "requests_per_unit");
      if (v != null && (v < 0 || v > 0xFFFF_FFFFL)) {
        n.error(r, "requests_per_unit must be 0..4294967295 (was " + v + ")");
      } else if (v != null) {
        perUnit = v;
      }
    }
    Node nm = m.get("name");
    String name = nm == null ? null : n.scalar(nm, "name");
    List<String> replaces = new ArrayList<>();
    for (Node item : n.sequence(m.get("replaces"), "replaces")) {
      Map<String, Node> rm = n.mapping(item, List.of("name"), "a replaces entry");
      Node rn = rm == null ? null : rm.get("name");
      String replaced = rn == null || Nodes.isNull(rn) ? null : n.scalar(rn, "replaces name");
      if (replaced == null || replaced.isEmpty()) {
        n.error(item, "a replaces entry needs a non-empty name");
      } else if (replaced.equals(name)) {
        n.error(item, "a rate_limit cannot replace itself ('" + name + "')");
      } else {
        replaces.add(replaced);
      }
    }
    Algorithm algorithm = Algorithm.FIXED_WINDOW;
    Node a = m.get("algorithm");
    if (a != null) {
      String word = n.word(a, "algorithm", List.of("fixed-window", "sliding-window", "token-bucket"), "fixed-window");
      algorithm = word.equals("sliding-window") ? Algorithm.SLIDING_WINDOW
          : word.equals("token-bucket") ? Algorithm.TOKEN_BUCKET : Algorithm.FIXED_WINDOW;
    }
    long burst = 0;
    Node b = m.get("burst");
    if (b != null) {
      Long v = n.positive(b, "burst");
      if (v != null && algorithm != Algorithm.TOKEN_BUCKET) {
        n.error(b, "burst is for algorithm: token-bucket only");
      } else if (v != null) {
        burst = v;
      }
    }
    return new RlsLimit(perUnit, unit, unlimited, name, replaces, algorithm, burst);
  }

  private static boolean bool(Nodes n, Node node, String what) {
    String s = n.scalar(node, what);
    if (s == null) {
      return false;
    }
    if (!Tag.BOOL.equals(node.getTag())) {
      n.error(node, what + " must be true or false (was '" + s + "')");
      return false;
    }
    return Boolean.parseBoolean(s.toLowerCase(Locale.ROOT));
  }
}
