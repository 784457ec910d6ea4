package io.tollgate.config;

import io.tollgate.core.Cidr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The process half of a policy file: where to listen, the upstream, TLS, trusted proxies and the
 * store. The other half, what is enforced, is the {@link io.tollgate.core.Policy}. Immutable.
 *
 * @param listen where the gateway listens
 * @param upstream where allowed requests go; {@code null} when the file names none (the gateway
 *     requires one; the check endpoint alone, and an application embedding the engine, do not)
 * @param tls the listener's certificate and key; {@code null} for plain HTTP
 * @param trustedProxies peers whose X-Forwarded-For is believed
 * @param store where counters live
 * @param reload whether the process reloads the file when it changes
 * @param admin the admin port
 * @param accessLog where each request's JSON line goes; {@code null} when {@code off}
 * @param http how the gateway reads paths, and the bounds it holds slow or large clients to
 * @param check the HTTP check endpoint (nginx auth_request, Traefik ForwardAuth, Envoy ext_authz);
 *     {@code null} when the file has no {@code check:}
 * @param envoyRls Envoy's Rate Limit Service; {@code null} when the file has no {@code envoy-rls:}
 */
public record Settings(Listen listen, Upstream upstream, Tls tls, List<Cidr> trustedProxies, StoreSettings store,
    Reload reload, Admin admin, AccessLog accessLog, Http http, Check check, EnvoyRls envoyRls) {

  public Settings {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /**
   * The keys of the settings set here that configure the server's own ports and doors
   * ({@code listen}, {@code upstream}, {@code tls}, {@code admin}, {@code check}, {@code envoy-rls}):
   * an application embedding the engine serves its own requests on its own port, so it ignores them.
   */
  public List<String> serverOnly() {
    List<String> out = new java.util.ArrayList<>();
    if (listen.host() != null || listen.port() != 8080) {
      out.add("listen");
    }
    if (upstream != null) {
      out.add("upstream");
    }
    if (tls != null) {
      out.add("tls");
    }
    if (!admin.equals(Admin.DEFAULT)) {
      out.add("admin");
    }
    if (check != null) {
      out.add("check");
    }
    if (envoyRls != null) {
      out.add("envoy-rls");
    }
    return out;
  }

  /**
   * {@code envoy-rls:} Envoy's Rate Limit Service, deciding envoyproxy/ratelimit's configuration.
   *
   * @param listen gRPC (h2c, or TLS when {@code tls} is set), and {@code POST /json} and
   *     {@code GET /healthcheck} on the same port
   * @param httpListen a second port for {@code /json} and {@code /healthcheck} (envoyproxy/ratelimit's
   *     {@code PORT}); {@code null} for none
   * @param config the configuration file, or the directory of them, resolved against the policy
   *     file's directory
   * @param headers the header sets returned in {@code response_headers_to_add}; none by default
   */
  public record EnvoyRls(Listen listen, Listen httpListen, Path config, List<io.tollgate.core.HeaderSet> headers) {

    public EnvoyRls {
      headers = List.copyOf(headers);
    }
  }

  /**
   * The admin port: health, readiness, metrics, the policy, reload.
   *
   * @param listen where it listens, {@code null} when {@code off}; default 127.0.0.1:9901
   * @param token when set, every endpoint but {@code /healthz} and {@code /readyz} wants
   *     {@code Authorization: Bearer <token>}; {@code null} for none
   */
  public record Admin(Listen listen, String token) {

    /** {@code admin:} left out: 127.0.0.1:9901, no token. */
    public static final Admin DEFAULT = new Admin(new Listen("127.0.0.1", 9901), null);
  }

  /**
   * {@code check:} the HTTP check endpoint: any method and path on its port asks whether the original
   * request (read from X-Forwarded-* or X-Original-* headers, or the check request itself) may pass.
   *
   * @param listen its own port
   * @param denyStatus what a refusal is answered with: 429 (the default, for Traefik and Envoy,
   *     which pass it to the client; the refusal's own status, such as 509, is kept then), or 403
   *     for nginx's auth_request, which makes a 500 of anything but 2xx, 401 and 403
   */
  public record Check(Listen listen, int denyStatus) {}

  /**
   * {@code access-log:} one JSON object per request.
   *
   * @param file the file lines are appended to (resolved against the policy file's directory);
   *     {@code null} for standard output
   */
  public record AccessLog(java.nio.file.Path file) {}

  /**
   * How the gateway reads requests, and the bounds that keep slow or oversized clients from holding it.
   *
   * @param encodedSlash {@code paths: {encoded-slash: …}}: what an encoded slash or backslash in a path does
   * @param requestHeaderTimeout {@code request-header-timeout}: a request's headers must all arrive
   *     within this long of its first byte, or the connection is closed
   * @param idleTimeout {@code idle-timeout}: a keep-alive connection with no request in flight is
   *     closed after this long
   * @param maxConnections {@code max-connections}: connections beyond this many are closed at accept
   * @param maxRequestBody {@code max-request-body}: bodies larger than this many bytes get 413; 0 for
   *     no bound (streamed through)
   */
  public record Http(io.tollgate.core.RequestPath.EncodedSlash encodedSlash, Duration requestHeaderTimeout,
      Duration idleTimeout, int maxConnections, long maxRequestBody) {

    /** Every default: encoded slashes refused, 10 s for headers, 60 s idle, 10,000 connections, bodies unbounded. */
    public static final Http DEFAULT = new Http(io.tollgate.core.RequestPath.EncodedSlash.REJECT, Duration.ofSeconds(10),
        Duration.ofSeconds(60), 10_000, 0);
  }

  /** {@code reload:}: when a running process reads its policy file again. */
  public enum Reload {
    /** When the file changes (its directory is watched), on SIGHUP, and when asked. */
    WATCH,
    /** On SIGHUP, and when asked. */
    MANUAL
  }

  /**
   * Where to listen.
   *
   * @param host the address to bind, {@code null} for every interface
   * @param port 0..65535; 0 takes any free port
   */
  public record Listen(String host, int port) {

    /** {@code 8080}, or {@code host:port}. */
    @Override
    public String toString() {
      return host == null ? Integer.toString(port) : host + ":" + port;
    }
  }

  /**
   * The upstream.
   *
   * @param url an {@code http://} or {@code https://} base URL, or {@link #ECHO}
   * @param timeout how long an upstream may take to answer before the gateway answers 504
   */
  public record Upstream(String url, Duration timeout) {

    /** The built-in upstream that answers every request with a JSON description of it. */
    public static final String ECHO = "echo";

    public boolean isEcho() {
      return url.equals(ECHO);
    }
  }

  /**
   * HTTPS on the listener.
   *
   * @param cert the PEM certificate chain, resolved against the policy file's directory
   * @param key the PEM private key (PKCS#8), resolved likewise
   */
  public record Tls(Path cert, Path key) {}
}
