package io.tollgate.core;

import java.util.Objects;

/**
 * One part of a limit's key: where one value of a request is read. A limit's key is a list of
 * fallback chains of parts ({@code tenant|api-key|client-ip}): the counter is per distinct
 * combination of the chains' values.
 *
 * <p>Immutable and thread-safe.
 */
public final class KeyPart {

  /** Where the value comes from. */
  public enum Kind {
    CLIENT_IP("client-ip", false),
    ROUTE("route", false),
    METHOD("method", false),
    PATH("path", false),
    API_KEY("api-key", false),
    TENANT("tenant", false),
    HEADER("header", true),
    QUERY("query", true),
    PARAM("param", true);

    private final String text;
    private final boolean named;

    Kind(String text, boolean named) {
      this.text = text;
      this.named = named;
    }

    /** Whether the part takes a name ({@code header:NAME}). */
    public boolean named() {
      return named;
    }
  }

  private final Kind kind;
  private final String name;

  private KeyPart(Kind kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  /** A part of a kind that takes no name, such as {@code client-ip}. */
  public static KeyPart of(Kind kind) {
    if (kind.named) {
      throw new IllegalArgumentException(kind.text + " needs a name (" + kind.text + ":NAME)");
    }
    return new KeyPart(kind, null);
  }

  /** A part that reads a named header, query parameter or path parameter. */
  public static KeyPart of(Kind kind, String name) {
    if (!kind.named) {
      return of(kind);
    }
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(kind.text + " needs a name (" + kind.text + ":NAME)");
    }
    return new KeyPart(kind, kind == Kind.HEADER ? name.toLowerCase(java.util.Locale.ROOT) : name);
  }

  /**
   * Parses {@code client-ip}, {@code route}, {@code method}, {@code path}, {@code api-key},
   * {@code tenant}, {@code header:NAME}, {@code query:NAME} or {@code param:NAME}.
   *
   * @throws IllegalArgumentException naming the text and the parts there are
   */
  public static KeyPart parse(String text) {
    int colon = text.indexOf(':');
    String head = colon < 0 ? text : text.substring(0, colon);
    for (Kind k : Kind.values()) {
      if (k.text.equals(head)) {
        if (k.named != (colon >= 0)) {
          throw new IllegalArgumentException(k.named
              ? "key part '" + text + "' needs a name (" + k.text + ":NAME)"
              : "key part '" + k.text + "' takes no name (was '" + text + "')");
        }
        return of(k, colon < 0 ? null : text.substring(colon + 1));
      }
    }
    throw new IllegalArgumentException("unknown key part '" + text + "' (expected client-ip, route, method, path, "
        + "api-key, tenant, header:NAME, query:NAME or param:NAME)");
  }

  public Kind kind() {
    return kind;
  }

  /** The header (lower case), query or path parameter name; {@code null} for unnamed kinds. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyPart && ((KeyPart) o).kind == kind && Objects.equals(((KeyPart) o).name, name);
  }

  @Override
  public int hashCode() {
    return kind.hashCode() * 31 + Objects.hashCode(name);
  }

  /** As written in the policy file. */
  @Override
  public String toString() {
    return name == null ? kind.text : kind.text + ":" + name;
  }
}
