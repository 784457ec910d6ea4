package io.tollgate.config.internal;

import io.tollgate.config.PolicyError;
import io.tollgate.core.Cidr;
import io.tollgate.core.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Typed access to the nodes of one YAML file, each mistake collected as a {@link PolicyError} at the
 * node's {@code file:line:col} (the readers go on after an error, so a file's every error is
 * reported at once). A method that finds a mistake records it and returns {@code null}. Not
 * thread-safe: one per file read.
 */
public final class Nodes {

  private final String file;
  private final List<PolicyError> errors = new ArrayList<>();

  public Nodes(String file) {
    this.file = file;
  }

  /** The errors so far, in the order found. */
  public List<PolicyError> errors() {
    return errors;
  }

  /** The document's root, or {@code null} (with an error) when the text is not YAML or is empty. */
  public Node compose(String text) {
    try {
      LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(true).build();
      Node root = new Compose(settings).composeString(text).orElse(null);
      if (root == null || isNull(root)) {
        error(1, 1, "the policy file is empty (it needs at least 'limits')");
        return null;
      }
      return root;
    } catch (MarkedYamlEngineException e) {
      Mark m = e.getProblemMark().orElse(e.getContextMark().orElse(null));
      error(m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, "not valid YAML: " + e.getProblem());
      return null;
    } catch (YamlEngineException e) {
      error(1, 1, "not valid YAML: " + e.getMessage());
      return null;
    }
  }

  /** The keys of a mapping, in order; unknown keys (when {@code allowed} is given) and duplicates are errors. */
  public Map<String, Node> mapping(Node node, List<String> allowed, String what) {
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

  /** The node of {@code key} itself in {@code mapping} (for an error about the key), else the mapping. */
  public Node keyNode(Node mapping, String key) {
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
  public List<Node> sequence(Node node, String what) {
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

  public List<String> strings(Node node, String what) {
    List<String> out = new ArrayList<>();
    for (Node n : sequence(node, what)) {
      String s = scalar(n, what);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  public String scalar(Node node, String what) {
    if (node instanceof ScalarNode && !isNull(node)) {
      return ((ScalarNode) node).getValue();
    }
    error(node, what + " must be a single value, not " + describe(node));
    return null;
  }

  public Long integer(Node node, String what) {
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

  public Long positive(Node node, String what) {
    Long v = integer(node, what);
    if (v != null && v <= 0) {
      error(node, what + " must be > 0 (was " + v + ")");
      return null;
    }
    return v;
  }

  public Duration duration(Node node, String what) {
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

  /**
   * A size in bytes, written {@code 1048576}, {@code 512KB}, {@code 10MB} or {@code 1GB} (powers of
   * 1024), or {@code null} when it is not one (with an error that names {@code alternative} too).
   */
  public Long size(Node node, String what, String alternative) {
    String s = scalar(node, what);
    if (s == null) {
      return null;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})\\s*(|B|KB|MB|GB)")
        .matcher(s.toUpperCase(java.util.Locale.ROOT));
    long bytes = 0;
    if (m.matches()) {
      int unit = List.of("", "B", "KB", "MB", "GB").indexOf(m.group(2));
      int shift = unit <= 1 ? 0 : (unit - 1) * 10;
      long count = Long.parseLong(m.group(1));
      bytes = count > Long.MAX_VALUE >> shift ? 0 : count << shift;
    }
    if (bytes <= 0) {
      error(node, what + " must be a size such as 10MB, 512KB or 1048576 (bytes), or " + alternative + " (was '" + s
          + "')");
      return null;
    }
    return bytes;
  }

  /** One of {@code words}, or {@code otherwise} when absent or wrong (with an error). */
  public String word(Node node, String what, List<String> words, String otherwise) {
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

  public List<Cidr> cidrs(Node node, String what) {
    List<Cidr> out = new ArrayList<>();
    for (Node n : sequence(node, what)) {
      String s = scalar(n, "a CIDR");
      if (s != null) {
        attempt(n, () -> out.add(Cidr.parse(s)));
      }
    }
    return out;
  }

  public String requiredName(Map<String, Node> m, Node node, String what) {
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

  /**
   * Runs a step of one of core's builders; its IllegalArgumentException becomes an error at
   * {@code node}: the builders are where values are checked, the file only says where.
   */
  public boolean attempt(Node node, Runnable step) {
    try {
      step.run();
      return true;
    } catch (IllegalArgumentException e) {
      error(node, e.getMessage());
      return false;
    }
  }

  public static boolean isNull(Node node) {
    return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
  }

  /** The text of a scalar node known to be one. */
  public static String text(Node node) {
    return ((ScalarNode) node).getValue();
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

  public void error(Node node, String message) {
    Mark m = node == null ? null : node.getStartMark().orElse(null);
    error(m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, message);
  }

  public void error(int line, int column, String message) {
    errors.add(new PolicyError(file, line, column, message));
  }

  /** {@code " (did you mean 'window'?)"} when one candidate is within two edits, else empty. */
  public static String suggest(String word, Iterable<String> candidates) {
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
