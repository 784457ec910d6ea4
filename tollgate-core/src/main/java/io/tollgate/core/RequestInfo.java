package io.tollgate.core;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the limiter reads of a request. A gateway implements it over its own request type, so that
 * nothing is copied; {@link #builder()} makes a plain one.
 */
public interface RequestInfo {

  /** The HTTP method, e.g. {@code GET}. */
  String method();

  /** The path without the query string, e.g. {@code /v1/items/42}. */
  String path();

  /** The first value of header {@code lowerCaseName}, or {@code null}. */
  String header(String lowerCaseName);

  /** The first value of query parameter {@code name} (decoded), or {@code null}. */
  String queryParam(String name);

  /** The caller's address (after trusted-proxy resolution), e.g. {@code 203.0.113.7}. */
  String clientIp();

  /**
   * Every value of header {@code lowerCaseName}, in order (none: empty). A front door overrides it
   * so that an identity sent twice with different values is refused ({@link Admission#unreadable});
   * the default knows only the first.
   */
  default List<String> headerValues(String lowerCaseName) {
    String v = header(lowerCaseName);
    return v == null ? List.of() : List.of(v);
  }

  /** Every value of query parameter {@code name} (decoded), in order; the default knows only the first. */
  default List<String> queryParamValues(String name) {
    String v = queryParam(name);
    return v == null ? List.of() : List.of(v);
  }

  static Builder builder() {
    return new Builder();
  }

  /** Builds a plain {@link RequestInfo}. Not thread-safe; what it builds is immutable. */
  final class Builder {
    private String method = "GET";
    private String path = "/";
    private String clientIp = "";
    private final Map<String, String> headers = new HashMap<>();
    private final Map<String, String> query = new HashMap<>();

    private Builder() {}

    public Builder method(String method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /** The path; a {@code ?query} part is split off into query parameters. */
    public Builder path(String path) {
      Objects.requireNonNull(path, "path");
      int q = path.indexOf('?');
      if (q >= 0) {
        for (String pair : path.substring(q + 1).split("&")) {
          int eq = pair.indexOf('=');
          String k = decode(eq < 0 ? pair : pair.substring(0, eq));
          query.putIfAbsent(k, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        path = path.substring(0, q);
      }
      this.path = path;
      return this;
    }

    public Builder header(String name, String value) {
      headers.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
      return this;
    }

    public Builder query(String name, String value) {
      query.putIfAbsent(name, value);
      return this;
    }

    public Builder clientIp(String clientIp) {
      this.clientIp = Objects.requireNonNull(clientIp, "clientIp");
      return this;
    }

    public RequestInfo build() {
      String m = method;
      String p = path;
      String ip = clientIp;
      Map<String, String> h = Map.copyOf(headers);
      Map<String, String> qs = Map.copyOf(query);
      return new RequestInfo() {
        @Override
        public String method() {
          return m;
        }

        @Override
        public String path() {
          return p;
        }

        @Override
        public String header(String lowerCaseName) {
          return h.get(lowerCaseName);
        }

        @Override
        public String queryParam(String name) {
          return qs.get(name);
        }

        @Override
        public String clientIp() {
          return ip;
        }

        @Override
        public String toString() {
          return m + " " + p + " from " + ip;
        }
      };
    }

    private static String decode(String s) {
      return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
  }
}
