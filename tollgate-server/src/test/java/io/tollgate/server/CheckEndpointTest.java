package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP check endpoint on a real port, asked as Traefik's ForwardAuth, nginx's auth_request and
 * Envoy's ext_authz ask it: the original request read from their headers, decided on the policy's
 * routes and limits, answered 200 with the rate-limit fields or refused with the refusal block.
 */
class CheckEndpointTest {

  private static final String HEAD = "admin: {listen: off}\nreload: manual\ntrusted-proxies: [127.0.0.1/32]\n";
  private static final String LIMITS = """
      routes:
        - {name: private, match: [/api/private/**]}
        - {name: writes, match: ["POST /api/items"]}
      limits:
        - {name: per-ip, routes: [private], key: [client-ip], limit: 2, window: 1h}
        - {name: writes, routes: [writes], key: [client-ip], limit: 1, window: 1h, refusal: {status: 509}}
      """;

  @TempDir
  Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private TollgateServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private TollgateServer start(String policy) throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), policy);
    server = TollgateServer.start(file, PolicyLoader.load(file), Clock.system());
    return server;
  }

  /** A check with {@code headers} (name, value pairs), as {@code method} on {@code path} of the check port. */
  private HttpResponse<String> check(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.checkPort() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> traefik(String method, String uri, String ip) throws Exception {
    return check("GET", "/", "X-Forwarded-Method", method, "X-Forwarded-Uri", uri, "X-Forwarded-Host", "api.example.com",
        "X-Forwarded-For", ip);
  }

  @Test
  void traefikForwardAuthIsAnsweredForTheOriginalRequest() throws Exception {
    start(HEAD + "check: {listen: 127.0.0.1:0}\n" + LIMITS);
    assertThat(server.port()).as("no upstream: no gateway").isEqualTo(-1);
    HttpResponse<String> first = traefik("GET", "/api/private/a?x=1", "203.0.113.7");
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).isEmpty();
    assertThat(first.headers().firstValue("x-ratelimit-remaining")).hasValue("1");
    assertThat(first.headers().firstValue("ratelimit")).hasValueSatisfying(v -> assertThat(v).startsWith("\"per-ip\";r=1;t="));
    assertThat(traefik("GET", "/api/./private//b", "203.0.113.7").statusCode()).as("another spelling, same limit")
        .isEqualTo(200);
    HttpResponse<String> refused = traefik("GET", "/api/private/c", "203.0.113.7");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    assertThat(refused.body()).contains("Rate limit exceeded");
    assertThat(traefik("GET", "/api/private/c", "198.51.100.2").statusCode()).as("another caller").isEqualTo(200);
    assertThat(traefik("GET", "/api/public", "203.0.113.7").statusCode()).as("no limit applies").isEqualTo(200);
  }

  @Test
  void aKeyOnTheHostReadsTheOriginalHostTraefikForwards() throws Exception {
    start(HEAD + "check: {listen: 127.0.0.1:0}\nlimits:\n  - {name: per-site, key: ['header:Host'], limit: 1, window: 1h}\n");
    assertThat(check("GET", "/", "X-Forwarded-Uri", "/a", "X-Forwarded-Host", "one.example.com").statusCode())
        .isEqualTo(200);
    assertThat(check("GET", "/", "X-Forwarded-Uri", "/a", "X-Forwarded-Host", "one.example.com").statusCode())
        .isEqualTo(429);
    assertThat(check("GET", "/", "X-Forwarded-Uri", "/a", "X-Forwarded-Host", "two.example.com").statusCode())
        .as("another site, its own counter").isEqualTo(200);
    assertThat(check("GET", "/").statusCode()).as("the check's own Host, 127.0.0.1:port").isEqualTo(200);
  }

  @Test
  void nginxAuthRequestHeadersAndAForbiddenDenyStatus() throws Exception {
    start(HEAD + "check: {listen: 127.0.0.1:0, deny-status: 403}\n" + LIMITS);
    for (int i = 0; i < 2; i++) {
      assertThat(check("GET", "/_check", "X-Original-Method", "GET", "X-Original-URI", "/api/private/x").statusCode())
          .isEqualTo(200);
    }
    HttpResponse<String> refused = check("GET", "/_check", "X-Original-Method", "GET", "X-Original-URI", "/api/private/x");
    assertThat(refused.statusCode()).as("nginx turns anything but 2xx, 401, 403 into 500").isEqualTo(403);
    assertThat(refused.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(check("GET", "/_check", "X-Original-Method", "GET", "X-Original-URI", "/a%2Fb").statusCode())
        .as("an unreadable path, in a status nginx passes on").isEqualTo(403);
  }

  @Test
  void envoyExtAuthzSendsTheOriginalMethodAndPathAsItsOwn() throws Exception {
    start(HEAD + "check: {listen: 127.0.0.1:0}\n" + LIMITS);
    assertThat(check("GET", "/api/items").statusCode()).as("reads are not limited").isEqualTo(200);
    assertThat(check("POST", "/api/items").statusCode()).isEqualTo(200);
    HttpResponse<String> refused = check("POST", "/api/items");
    assertThat(refused.statusCode()).as("the refusal's own status is kept with deny-status 429").isEqualTo(509);
    assertThat(check("GET", "/a%2Fb").statusCode()).as("an unreadable path").isEqualTo(400);
  }

  @Test
  void deniedCallersAndCallersBehindAnUntrustedProxy() throws Exception {
    start("admin: {listen: off}\nreload: manual\ncheck: {listen: 127.0.0.1:0}\ndeny: [203.0.113.0/24]\n" + LIMITS);
    // 127.0.0.1 is not trusted here: X-Forwarded-For is not believed, every check is the proxy's own address
    assertThat(traefik("GET", "/api/private/a", "203.0.113.7").statusCode()).isEqualTo(200);
    assertThat(traefik("GET", "/api/private/a", "198.51.100.1").statusCode()).isEqualTo(200);
    assertThat(traefik("GET", "/api/private/a", "198.51.100.2").statusCode()).as("one counter for all").isEqualTo(429);
    server.close();
    start(HEAD + "check: {listen: 127.0.0.1:0}\ndeny: [203.0.113.0/24]\n" + LIMITS);
    assertThat(traefik("GET", "/api/public", "203.0.113.7").statusCode()).isEqualTo(403);
  }

  @Test
  void theGatewayAndTheCheckDecideOnTheSameCounters() throws Exception {
    start(HEAD + "listen: 127.0.0.1:0\nupstream: echo\ncheck: {listen: 127.0.0.1:0}\n" + LIMITS);
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/private/a"))
        .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(check("GET", "/api/private/b").statusCode()).isEqualTo(200);
    assertThat(check("GET", "/api/private/c").statusCode()).as("the gateway's request counted").isEqualTo(429);
  }

  @Test
  void aReloadAppliesTheDenyStatusAndKeepsTheCounters() throws Exception {
    start(HEAD + "check: {listen: 127.0.0.1:0}\n" + LIMITS);
    int port = server.checkPort();
    for (int i = 0; i < 2; i++) {
      assertThat(traefik("GET", "/api/private/a", "203.0.113.7").statusCode()).isEqualTo(200);
    }
    assertThat(traefik("GET", "/api/private/a", "203.0.113.7").statusCode()).isEqualTo(429);
    Files.writeString(dir.resolve("p.yaml"), HEAD + "check: {listen: 127.0.0.1:0, deny-status: 403}\n" + LIMITS);
    Reload r = server.reload();
    assertThat(r.result()).isEqualTo(Reload.Result.RELOADED);
    assertThat(r.restartNeeded()).as("listen 0 read again is the same setting").isEmpty();
    assertThat(server.checkPort()).isEqualTo(port);
    assertThat(traefik("GET", "/api/private/a", "203.0.113.7").statusCode()).isEqualTo(403);
  }

  @Test
  void aConcurrencyLimitBesideACheckAndAFileWithNeitherUpstreamNorCheckAreRefused() throws Exception {
    Path concurrency = Files.writeString(dir.resolve("c.yaml"), HEAD + "check: {listen: 0}\n"
        + "limits:\n  - {name: jobs, concurrency: 10}\n");
    assertThat(ServeChecks.problems(PolicyLoader.load(concurrency))).singleElement().asString()
        .contains("'jobs' is a concurrency limit");
    Path neither = Files.writeString(dir.resolve("n.yaml"), HEAD + LIMITS);
    assertThat(ServeChecks.problems(PolicyLoader.load(neither))).singleElement().asString().contains("no 'upstream'");
    Path badStatus = Files.writeString(dir.resolve("s.yaml"), HEAD + "check: {listen: 0, deny-status: 200}\n");
    assertThatThrownBy(() -> PolicyLoader.load(badStatus)).isInstanceOf(PolicyException.class)
        .hasMessageContaining("s.yaml:4:").hasMessageContaining("deny-status must be 400..599");
  }
}
