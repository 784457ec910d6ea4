package io.tollgate.config;

import io.tollgate.config.envoy.RlsConfig;

import io.tollgate.config.internal.EnvSubstitution;
import io.tollgate.config.internal.Nodes;
import io.tollgate.config.internal.PolicyReader;
import io.tollgate.config.internal.SettingsReader;
import io.tollgate.core.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a policy file (YAML, so JSON too) into a {@link PolicyFile}: its policy and its settings.
 * Every error of the file is collected, each at its {@code file:line:col}, and thrown together; a
 * file with any error yields nothing. The format is docs/policy-file.md.
 *
 * <p>{@code ${NAME}} and {@code ${NAME:-default}} are replaced from the environment before parsing,
 * for names of upper-case letters, digits and underscores: lower-case placeholders such as
 * {@code ${limit}} belong to refusal body templates and are left alone.
 */
public final class PolicyLoader {

  private static final List<String> TOP = new ArrayList<>();

  static {
    TOP.addAll(SettingsReader.KEYS);
    TOP.addAll(PolicyReader.KEYS);
  }

  private PolicyLoader() {}

  /**
   * Reads the file at {@code path}, substituting from the process environment; paths inside it are
   * resolved against its directory.
   */
  public static PolicyFile load(Path path) throws PolicyException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new PolicyException(List.of(new PolicyError(path.toString(), 1, 1, "cannot read the file: no such file")));
    } catch (AccessDeniedException e) {
      throw new PolicyException(List.of(new PolicyError(path.toString(), 1, 1,
          "cannot read the file: permission denied")));
    } catch (IOException e) {
      String why = Files.isDirectory(path) ? "it is a directory" : String.valueOf(e.getMessage());
      throw new PolicyException(List.of(new PolicyError(path.toString(), 1, 1, "cannot read the file: " + why)));
    }
    Path dir = path.toAbsolutePath().getParent();
    return read(new String(bytes, StandardCharsets.UTF_8), sha256(bytes), path.toString(), System.getenv(), dir);
  }

  /**
   * Reads policy text; relative paths in it are resolved against the working directory.
   *
   * @param source the file name errors are reported against
   * @param env the environment for {@code ${NAME}}
   */
  public static PolicyFile parse(String text, String source, Map<String, String> env) throws PolicyException {
    return read(text, sha256(text.getBytes(StandardCharsets.UTF_8)), source, env, Path.of(""));
  }

  private static PolicyFile read(String text, String sha256, String source, Map<String, String> env, Path dir)
      throws PolicyException {
    Nodes nodes = new Nodes(source);
    String substituted = EnvSubstitution.substitute(text, env, nodes);
    PolicyFile result = null;
    if (nodes.errors().isEmpty()) {
      Node root = nodes.compose(substituted);
      Map<String, Node> top = root == null ? null : nodes.mapping(root, TOP, "the policy file");
      if (top != null) {
        Settings settings = SettingsReader.read(top, nodes, dir);
        Policy policy = PolicyReader.read(top, root, nodes);
        if (policy != null) {
          result = new PolicyFile(source, sha256, policy, settings);
        }
      }
    }
    if (!nodes.errors().isEmpty()) {
      List<PolicyError> sorted = new ArrayList<>(nodes.errors());
      sorted.sort(Comparator.comparingInt(PolicyError::line).thenComparingInt(PolicyError::column));
      throw new PolicyException(sorted);
    }
    Settings.EnvoyRls rls = result.settings().envoyRls();
    if (rls != null) { // read with the file, all or nothing: a bad ratelimit configuration fails the whole load
      result = new PolicyFile(source, sha256, result.policy(), result.settings(), RlsConfig.load(rls.config()));
    }
    return result;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
