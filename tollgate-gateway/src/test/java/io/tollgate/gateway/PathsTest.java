package io.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.core.Clock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No spelling of a path walks around a limit: requests sent byte for byte over a socket to
 * gateways in front of a real upstream that records the paths it receives.
 */
class PathsTest {

  private static HttpServer upstream;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static TestGateway reject;
  private static TestGateway keep;
  private static TestGateway decode;

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", exchange -> {
      received.add(exchange.getRequestURI().getRawPath());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    upstream.start();
    String policy = "listen: 0\nupstream: http://127.0.0.1:" + upstream.getAddress().getPort() + "\n"
        + "paths: {encoded-slash: MODE}\n"
        + "status-endpoint: /ratelimits\n"
        + "routes:\n  - {name: private, match: [/api/private/**]}\n"
        + "limits:\n"
        + "  - {name: private, routes: [private], key: [client-ip], limit: 1, window: 1h}\n"
        + "  - {name: per-key, key: [header:X-Api-Key], limit: 1000, window: 1h, paths: [/keyed/**]}\n";
    reject = TestGateway.start(policy.replace("MODE", "reject"), Map.of(), Clock.system());
    keep = TestGateway.start(policy.replace("MODE", "keep"), Map.of(), Clock.system());
    decode = TestGateway.start(policy.replace("MODE", "decode"), Map.of(), Clock.system());
    for (TestGateway g : List.of(reject, keep, decode)) {
      assertThat(status(g, "/api/private/x")).isEqualTo(200); // the one request the limit allows
    }
  }

  @AfterAll
  static void stop() {
    for (TestGateway g : List.of(reject, keep, decode)) {
      g.close();
    }
    upstream.stop(0);
  }

  /** The status code of {@code GET path}, sent exactly as written, with {@code headers} (CRLF-terminated lines). */
  static int status(TestGateway g, String path, String... headers) throws Exception {
    return Integer.parseInt(answer(g, path, headers).split(" ")[1]);
  }

  static String answer(TestGateway g, String path, String... headers) throws Exception {
    try (Socket s = new Socket("127.0.0.1", g.port())) {
      s.setSoTimeout(5_000);
      String request = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + String.join("", headers)
          + "\r\n";
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return readResponse(s.getInputStream());
    }
  }

  /**
   * One response: head, then as many body bytes as Content-Length says (not until the connection
   * closes: after {@code Connection: close} Armeria waits up to 3 s for the client to close first).
   */
  static String readResponse(InputStream in) throws java.io.IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      head.write(b);
      String h = head.toString(StandardCharsets.ISO_8859_1);
      if (h.endsWith("\r\n\r\n")) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(h);
        return h + new String(in.readNBytes(m.find() ? Integer.parseInt(m.group(1)) : 0), StandardCharsets.UTF_8);
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/private/x", "/api/./private/x", "/./api/private/x", "/api/./private", "/api/private",
      "/api//private/x", "//api/private/x", "/api/%70rivate/x", "/api/%2e/private/x", "/%61pi/private/x",
      "/api/private/./x", "/api/private/x/", "/api;v=1/private/x", "/api/private;jsessionid=1/x"})
  void everySpellingOfALimitedPathIsRefusedOnceTheLimitIsSpent(String path) throws Exception {
    int before = received.size();
    for (TestGateway g : List.of(reject, keep, decode)) {
      assertThat(status(g, path)).as("%s", path).isEqualTo(429);
    }
    assertThat(received).hasSize(before); // none reached the upstream
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api%2Fprivate/x", "/api%2fprivate/x", "/api%5Cprivate/x"})
  void anEncodedSlashIsRefusedByDefaultKeptWhenAskedAndDecodedWhenAsked(String path) throws Exception {
    int before = received.size();
    String refusal = answer(reject, path);
    assertThat(refusal).startsWith("HTTP/1.1 400").contains("encoded slash");
    assertThat(status(decode, path)).isEqualTo(429); // /api/private/x, whose limit is spent
    assertThat(received).hasSize(before);
    assertThat(status(keep, path)).isEqualTo(200); // one segment "api%2Fprivate": no route of it
    assertThat(received.get(received.size() - 1)).isEqualToIgnoringCase(path.replace("%2f", "%2F"));
  }

  /**
   * Armeria, the gateway's HTTP server, refuses a {@code ..} segment anywhere in a request target
   * before the gateway sees it: stricter than resolving it within the root, and no way around a limit.
   */
  @ParameterizedTest
  @ValueSource(strings = {"/..", "/../api/private/x", "/api/../../private", "/%2e%2e/api/private/x",
      "/api/..;/private/x", "/api/other/../private/x", "/api/other/%2e%2E/private/x", "/api/private/x/.."})
  void aPathWithADotDotSegmentIsABadRequest(String path) throws Exception {
    int before = received.size();
    for (TestGateway g : List.of(reject, keep, decode)) {
      assertThat(status(g, path)).as("%s", path).isEqualTo(400);
    }
    assertThat(received).hasSize(before);
  }

  @Test
  void theUpstreamReceivesTheNormalisedPathAndTheQueryAsSent() throws Exception {
    assertThat(status(reject, "/open/./a//b/%7Ex/./d?q=%2F&x=1")).isEqualTo(200);
    assertThat(received.get(received.size() - 1)).isEqualTo("/open/a/b/~x/d");
    assertThat(status(decode, "/open/a%2Fb")).isEqualTo(200);
    assertThat(received.get(received.size() - 1)).isEqualTo("/open/a/b");
  }

  @Test
  void theStatusEndpointIsFoundByAnySpelling() throws Exception {
    assertThat(answer(reject, "/./ratelimits")).startsWith("HTTP/1.1 200").contains("\"ratelimits\"");
    assertThat(answer(reject, "//ratelimits")).startsWith("HTTP/1.1 200").contains("\"ratelimits\"");
  }

  @Test
  void anIdentityHeaderSentTwiceWithDifferentValuesIsABadRequest() throws Exception {
    int before = received.size();
    String twice = answer(reject, "/keyed/a", "X-Api-Key: one\r\n", "X-Api-Key: two\r\n");
    assertThat(twice).startsWith("HTTP/1.1 400").contains("header x-api-key was sent twice with different values");
    assertThat(received).hasSize(before);
    assertThat(status(reject, "/keyed/a", "X-Api-Key: one\r\n", "X-Api-Key: one\r\n")).isEqualTo(200);
    assertThat(status(reject, "/keyed/a", "X-Api-Key: one\r\n")).isEqualTo(200);
    assertThat(status(reject, "/keyed/a", "X-Other: one\r\n", "X-Other: two\r\n")).isEqualTo(200); // not read by a key
  }
}
