package io.tollgate.core;

import io.tollgate.core.internal.PathPattern;
import java.util.List;
import java.util.Objects;

/**
 * A named endpoint: a request belongs to the first route one of whose patterns matches it, or to
 * the route {@value #DEFAULT} when none does. Patterns are {@code [METHOD[,METHOD...] ]PATH}, see
 * docs/policy-file.md. Immutable and thread-safe.
 */
public final class Route {

  /** The route of a request that matches no route. */
  public static final String DEFAULT = "default";

  private final String name;
  private final List<String> patterns;

  private Route(String name, List<String> patterns) {
    this.name = name;
    this.patterns = patterns;
  }

  /**
   * A route named {@code name} matching any of {@code patterns}.
   *
   * @throws IllegalArgumentException if the name is empty or a pattern is malformed
   */
  public static Route of(String name, List<String> patterns) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("route name must not be empty");
    }
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("route '" + name + "' needs at least one pattern");
    }
    for (String p : patterns) {
      PathPattern.parse(p);
    }
    return new Route(name, List.copyOf(patterns));
  }

  /** A route named {@code name} matching any of {@code patterns}. */
  public static Route of(String name, String... patterns) {
    return of(name, List.of(patterns));
  }

  public String name() {
    return name;
  }

  public List<String> patterns() {
    return patterns;
  }

  @Override
  public String toString() {
    return name + " " + patterns;
  }
}
