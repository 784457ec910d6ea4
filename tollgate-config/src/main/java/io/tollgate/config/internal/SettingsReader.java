package io.tollgate.config.internal;

import io.tollgate.config.Settings;
import io.tollgate.config.StoreSettings;
import io.tollgate.core.Cidr;
import io.tollgate.core.RequestPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the process half of a policy file (listen, upstream, tls, trusted proxies, the store) into
 * typed {@link Settings}. Paths in the file are resolved against the file's directory.
 */
public final class SettingsReader {

  /** The top-level keys this reader owns. */
  public static final List<String> KEYS = List.of("listen", "upstream", "upstream-timeout", "tls", "trusted-proxies",
      "store", "redis", "max-keys", "reload", "admin", "access-log", "paths", "request-header-timeout", "idle-timeout",
      "max-connections", "max-request-body", "check", "envoy-rls");

  private static final List<String> REDIS = List.of("timeout", "on-failure", "clock", "lease-ttl", "key-prefix");
  private static final List<String> TLS = List.of("cert", "key");
  private static final List<String> ADMIN = List.of("listen", "token");
  private static final List<String> PATHS = List.of("encoded-slash");
  private static final List<String> CHECK = List.of("listen", "deny-status");
  private static final List<String> ENVOY_RLS = List.of("listen", "http-listen", "config", "headers");
  private static final long MAX_KEYS = 1_000_000;

  private final Nodes n;
  private final Path directory;

  private SettingsReader(Nodes nodes, Path directory) {
    this.n = nodes;
    this.directory = directory;
  }

  /**
   * The settings of the file whose top-level mapping is {@code top}; mistakes are recorded in
   * {@code nodes} (the result then holds defaults in their place).
   *
   * @param directory what relative paths in the file are resolved against
   */
  public static Settings read(Map<String, Node> top, Nodes nodes, Path directory) {
    return new SettingsReader(nodes, directory).read(top);
  }

  private Settings read(Map<String, Node> top) {
    Settings.Listen listen = listen(top.get("listen"));
    Duration upstreamTimeout = duration(top, "upstream-timeout", Duration.ofSeconds(30));
    Settings.Upstream upstream = null;
    Node up = top.get("upstream");
    String u = up == null ? null : n.scalar(up, "upstream");
    if (u != null) {
      if (!u.equals(Settings.Upstream.ECHO) && !u.startsWith("http://") && !u.startsWith("https://")) {
        n.error(up, "upstream must be an http:// or https:// URL, or 'echo' (was '" + u + "')");
      }
      upstream = new Settings.Upstream(u, upstreamTimeout);
    }
    Settings.Tls tls = top.containsKey("tls") ? tls(top.get("tls")) : null;
    List<Cidr> trusted = n.cidrs(top.get("trusted-proxies"), "trusted-proxies");
    long maxKeys = MAX_KEYS;
    if (top.containsKey("max-keys")) {
      Long m = n.positive(top.get("max-keys"), "max-keys");
      maxKeys = m == null ? maxKeys : m;
    }
    Settings.Reload reload = n.word(top.get("reload"), "reload", List.of("watch", "manual"), "watch").equals("watch")
        ? Settings.Reload.WATCH : Settings.Reload.MANUAL;
    Settings.Admin admin = top.containsKey("admin") ? admin(top.get("admin"), listen) : Settings.Admin.DEFAULT;
    Settings.AccessLog accessLog = null;
    Node al = top.get("access-log");
    String where = al == null || Nodes.isNull(al) ? "off" : n.scalar(al, "access-log");
    if (where != null && !where.equals("off")) {
      accessLog = new Settings.AccessLog(where.equals("stdout") ? null : directory.resolve(where).normalize());
    }
    Settings.Check check = top.containsKey("check") ? check(top.get("check"), listen, admin) : null;
    // the gateway's port is taken only when there is a gateway (an upstream)
    Settings.EnvoyRls rls = top.containsKey("envoy-rls")
        ? envoyRls(top.get("envoy-rls"), upstream == null ? null : listen, admin, check) : null;
    return new Settings(listen, upstream, tls, trusted, store(top, maxKeys), reload, admin, accessLog, http(top), check,
        rls);
  }

  private Settings.Http http(Map<String, Node> top) {
    Settings.Http d = Settings.Http.DEFAULT;
    RequestPath.EncodedSlash encodedSlash = d.encodedSlash();
    if (top.containsKey("paths")) {
      Map<String, Node> m = n.mapping(top.get("paths"), PATHS, "paths");
      if (m != null && m.containsKey("encoded-slash")) {
        encodedSlash = RequestPath.EncodedSlash.valueOf(n.word(m.get("encoded-slash"), "encoded-slash",
            List.of("reject", "keep", "decode"), "reject").toUpperCase(Locale.ROOT));
      }
    }
    Duration header = duration(top, "request-header-timeout", d.requestHeaderTimeout());
    Duration idle = duration(top, "idle-timeout", d.idleTimeout());
    int maxConnections = d.maxConnections();
    if (top.containsKey("max-connections")) {
      Long m = n.positive(top.get("max-connections"), "max-connections");
      if (m != null && m > Integer.MAX_VALUE) {
        n.error(top.get("max-connections"), "max-connections must be at most " + Integer.MAX_VALUE);
      } else if (m != null) {
        maxConnections = (int) (long) m;
      }
    }
    long maxBody = d.maxRequestBody();
    Node body = top.get("max-request-body");
    if (body != null && !"unlimited".equals(Nodes.isNull(body) ? null : n.scalar(body, "max-request-body"))) {
      Long bytes = n.size(body, "max-request-body", "'unlimited'");
      maxBody = bytes == null ? maxBody : bytes;
    }
    return new Settings.Http(encodedSlash, header, idle, maxConnections, maxBody);
  }

  /** The top-level duration {@code key}, or {@code otherwise} when absent or wrong (with an error). */
  private Duration duration(Map<String, Node> top, String key, Duration otherwise) {
    Duration d = top.containsKey(key) ? n.duration(top.get(key), key) : null;
    return d == null ? otherwise : d;
  }

  private Settings.Check check(Node node, Settings.Listen proxy, Settings.Admin admin) {
    Map<String, Node> m = n.mapping(node, CHECK, "check");
    if (m == null) {
      return null;
    }
    Node l = m.get("listen");
    if (l == null) {
      n.error(node, "check needs 'listen': the port the check endpoint answers on (e.g. check: {listen: 8082})");
      return null;
    }
    Settings.Listen listen = listen(l, "check.listen", new Settings.Listen(null, 8082));
    if (listen.port() != 0 && (listen.port() == proxy.port()
        || admin.listen() != null && listen.port() == admin.listen().port())) {
      n.error(l, "check.listen must be a port of its own (not the gateway's " + proxy.port()
          + (admin.listen() == null ? "" : " nor the admin's " + admin.listen().port()) + ")");
    }
    int deny = 429;
    Node d = m.get("deny-status");
    if (d != null) {
      Long v = n.integer(d, "check.deny-status");
      if (v != null && (v < 400 || v > 599)) {
        n.error(d, "check.deny-status must be 400..599 (429 for Traefik and Envoy, 403 for nginx auth_request; was " + v + ")");
      } else if (v != null) {
        deny = v.intValue();
      }
    }
    return new Settings.Check(listen, deny);
  }

  private Settings.EnvoyRls envoyRls(Node node, Settings.Listen proxy, Settings.Admin admin, Settings.Check check) {
    Map<String, Node> m = n.mapping(node, ENVOY_RLS, "envoy-rls");
    if (m == null) {
      return null;
    }
    Node l = m.get("listen");
    Node c = m.get("config");
    if (l == null || c == null) {
      n.error(node, "envoy-rls needs 'listen' (the gRPC port Envoy's ratelimit filter calls) and 'config' "
          + "(envoyproxy/ratelimit's configuration file or directory), e.g. envoy-rls: {listen: 8081, config: ratelimit}");
      return null;
    }
    List<Integer> taken = new java.util.ArrayList<>();
    if (proxy != null) {
      taken.add(proxy.port());
    }
    if (admin.listen() != null) {
      taken.add(admin.listen().port());
    }
    if (check != null) {
      taken.add(check.listen().port());
    }
    Settings.Listen listen = ownPort(l, "envoy-rls.listen", new Settings.Listen(null, 8081), taken);
    Settings.Listen http = null;
    if (m.containsKey("http-listen")) {
      taken.add(listen.port());
      http = ownPort(m.get("http-listen"), "envoy-rls.http-listen", new Settings.Listen(null, 8080), taken);
    }
    String where = n.scalar(c, "envoy-rls.config");
    Path config = null;
    if (where != null && where.isEmpty()) {
      n.error(c, "envoy-rls.config must name a file or a directory");
    } else if (where != null) {
      config = directory.resolve(where).normalize();
      if (!Files.exists(config)) {
        n.error(c, "envoy-rls.config: no such file or directory: " + config);
      }
    }
    List<io.tollgate.core.HeaderSet> headers = new java.util.ArrayList<>();
    for (Node h : n.sequence(m.get("headers"), "envoy-rls.headers")) {
      String name = n.scalar(h, "a header set");
      io.tollgate.core.HeaderSet set = name == null ? null : io.tollgate.core.HeaderSet.fromText(name);
      if (name != null && set == null) {
        n.error(h, "unknown header set '" + name + "' (x-ratelimit, x-ratelimit-reset-time, x-ratelimit-retry-after, "
            + "retry-after, ratelimit, ratelimit-legacy)");
      } else if (set != null && !headers.contains(set)) {
        headers.add(set);
      }
    }
    return config == null ? null : new Settings.EnvoyRls(listen, http, config, headers);
  }

  /** A listen address whose port is none of {@code taken} (0, any free port, always is). */
  private Settings.Listen ownPort(Node node, String what, Settings.Listen otherwise, List<Integer> taken) {
    Settings.Listen listen = listen(node, what, otherwise);
    if (listen.port() != 0 && taken.contains(listen.port())) {
      n.error(node, what + " must be a port of its own (" + listen.port() + " is taken by another listener of the file)");
    }
    return listen;
  }

  private Settings.Admin admin(Node node, Settings.Listen proxy) {
    Map<String, Node> m = n.mapping(node, ADMIN, "admin");
    if (m == null) {
      return Settings.Admin.DEFAULT;
    }
    Settings.Listen listen = Settings.Admin.DEFAULT.listen();
    Node l = m.get("listen");
    if (l != null && "off".equals(Nodes.isNull(l) ? null : n.scalar(l, "admin.listen"))) {
      listen = null;
    } else if (l != null) {
      listen = listen(l, "admin.listen", listen);
      if (listen.port() != 0 && listen.port() == proxy.port()) {
        n.error(l, "admin.listen must not be the proxy's port (" + proxy.port() + "): health checks and scrapes "
            + "must never reach the upstream or count against a limit");
      }
    }
    Node t = m.get("token");
    String token = t == null || Nodes.isNull(t) ? null : n.scalar(t, "admin.token");
    return new Settings.Admin(listen, token == null || token.isEmpty() ? null : token);
  }

  private Settings.Listen listen(Node node) {
    return node == null ? new Settings.Listen(null, 8080) : listen(node, "listen", new Settings.Listen(null, 8080));
  }

  private Settings.Listen listen(Node node, String what, Settings.Listen otherwise) {
    String l = n.scalar(node, what);
    if (l == null) {
      return otherwise;
    }
    int colon = l.lastIndexOf(':');
    try {
      int port = Integer.parseInt(colon < 0 ? l : l.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new Settings.Listen(colon < 0 ? null : l.substring(0, colon), port);
    } catch (NumberFormatException e) {
      n.error(node, what + " must be a port or host:port (was '" + l + "')");
      return otherwise;
    }
  }

  private Settings.Tls tls(Node node) {
    Map<String, Node> m = n.mapping(node, TLS, "tls");
    if (m == null) {
      return null;
    }
    Path cert = file(m, node, "cert", "the PEM certificate chain");
    Path key = file(m, node, "key", "the PEM private key");
    return cert == null || key == null ? null : new Settings.Tls(cert, key);
  }

  /** A readable file named by {@code m.get(name)}, resolved against the policy file's directory. */
  private Path file(Map<String, Node> m, Node parent, String name, String what) {
    Node node = m.get(name);
    if (node == null) {
      n.error(parent, "tls needs '" + name + "' (" + what + ")");
      return null;
    }
    String text = n.scalar(node, name);
    if (text == null) {
      return null;
    }
    Path path = directory.resolve(text).normalize();
    if (!Files.isRegularFile(path)) {
      n.error(node, "tls." + name + ": no such file " + path.toAbsolutePath());
      return null;
    }
    if (!Files.isReadable(path)) {
      n.error(node, "tls." + name + ": cannot read " + path.toAbsolutePath() + " (permission denied)");
      return null;
    }
    return path;
  }

  /** What is wrong with a Redis URI, or {@code null}: each node a host and a port (or none: 6379), a db number. */
  static String redisUriProblem(String uri) {
    String shown = redacted(uri);
    if (uri.startsWith("redis-cluster://")) {
      String rest = uri.substring("redis-cluster://".length());
      rest = rest.substring(rest.lastIndexOf('@') + 1);
      for (String node : rest.split(",", -1)) {
        int colon = node.lastIndexOf(':');
        if (colon <= 0 || !validPort(node.substring(colon + 1))) {
          return "a cluster node is host:port (was '" + node + "' in " + shown + ")";
        }
      }
      return null;
    }
    try {
      java.net.URI u = new java.net.URI(uri);
      String path = u.getPath() == null ? "" : u.getPath();
      if (u.getHost() == null || (u.getPort() != -1 && !validPort(Integer.toString(u.getPort())))
          || !(path.isEmpty() || path.equals("/") || path.matches("/\\d+"))) {
        throw new java.net.URISyntaxException(uri, "no host");
      }
      return null;
    } catch (java.net.URISyntaxException e) {
      return "cannot read " + shown + " as redis://[:password@]host[:port][/db] (rediss:// for TLS)";
    }
  }

  private static boolean validPort(String text) {
    try {
      int p = Integer.parseInt(text);
      return p > 0 && p <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String redacted(String uri) {
    int scheme = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    return at < 0 ? uri : uri.substring(0, scheme + 3) + "***@" + uri.substring(at + 1);
  }

  private StoreSettings store(Map<String, Node> top, long maxKeys) {
    Node st = top.get("store");
    String uri = st == null ? "memory" : n.scalar(st, "store");
    if (uri != null && !uri.equals("memory") && !uri.startsWith("redis://") && !uri.startsWith("rediss://")
        && !uri.startsWith("redis-cluster://")) {
      n.error(st, "store must be 'memory', redis://host:port[/db], rediss://… or redis-cluster://host:port,host:port "
          + "(was '" + uri + "')");
      uri = null;
    }
    String problem = uri == null || uri.equals("memory") ? null : redisUriProblem(uri);
    if (problem != null) {
      n.error(st, "store: " + problem);
      uri = null;
    }
    boolean redis = uri != null && !uri.equals("memory");
    if (!redis) {
      if (top.containsKey("redis") && uri != null) {
        n.error(top.get("redis"), "the 'redis' block applies to a Redis store, and store is 'memory'");
      }
      return new StoreSettings.Memory(maxKeys);
    }
    Map<String, Node> m = top.containsKey("redis") ? n.mapping(top.get("redis"), REDIS, "redis") : Map.of();
    m = m == null ? Map.of() : m;
    Duration timeout = m.containsKey("timeout") ? n.duration(m.get("timeout"), "timeout") : null;
    String onFailure = n.word(m.get("on-failure"), "on-failure", List.of("allow", "deny", "local"), "local");
    String clock = n.word(m.get("clock"), "clock", List.of("redis", "local"), "redis");
    Duration leaseTtl = m.containsKey("lease-ttl") ? n.duration(m.get("lease-ttl"), "lease-ttl") : null;
    String prefix = "tollgate";
    Node p = m.get("key-prefix");
    String text = p == null ? null : n.scalar(p, "key-prefix");
    if (text != null && (text.isEmpty() || text.contains("{") || text.contains("}"))) {
      n.error(p, "key-prefix must be non-empty, without braces (it becomes the hash tag {" + text + "})");
    } else if (text != null) {
      prefix = text;
    }
    return new StoreSettings.Redis(uri, timeout == null ? Duration.ofMillis(50) : timeout,
        StoreSettings.OnFailure.valueOf(onFailure.toUpperCase(Locale.ROOT)),
        StoreSettings.Clock.valueOf(clock.toUpperCase(Locale.ROOT)),
        leaseTtl == null ? Duration.ofSeconds(60) : leaseTtl, prefix, maxKeys);
  }
}
