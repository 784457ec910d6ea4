package io.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.core.Clock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile requests, sent byte for byte: each gets a 4xx or a closed connection, never a
 * 5xx, never reaches the upstream (so never twice: no second request smuggled in a body), and the
 * gateway goes on serving.
 */
class HostileInputTest {

  private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  private static HttpServer upstream;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    upstream.start();
    gateway = TestGateway.start("listen: 0\nupstream: http://127.0.0.1:" + upstream.getAddress().getPort() + "\n"
        + "limits:\n  - {name: a, key: [client-ip], limit: 1000000, window: 1h}\n", Map.of(), Clock.system());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.stop(0);
  }

  static Stream<Arguments> corpus() {
    List<Arguments> c = new ArrayList<>();
    // malformed request lines
    c.add(Arguments.of("no target", "GET\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("HTTP/0.9 style", "GET /\r\n\r\n"));
    c.add(Arguments.of("words swapped", "/ GET HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("four words", "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("NUL in the method", "G\0T / HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("NUL in the target", "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("control character in the target", "GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("1 MB request line", "GET /" + "a".repeat(1 << 20) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("relative target", "GET a/b HTTP/1.1\r\nHost: x\r\n\r\n"));
    c.add(Arguments.of("bad absolute target", "GET http://[::1/ HTTP/1.1\r\nHost: x\r\n\r\n"));
    // invalid versions
    for (String v : List.of("HTTP/2.5", "HTTP/1.10", "HTTP/9.9", "HTTPS/1.1", "HTTP/1", "HTTP/1.1.1", "FOO")) {
      c.add(Arguments.of("version " + v, "GET / " + v + "\r\nHost: x\r\n\r\n"));
    }
    // headers
    c.add(Arguments.of("NUL in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"));
    c.add(Arguments.of("NUL in a header name", "GET / HTTP/1.1\r\nHost: x\r\nX\0A: b\r\n\r\n"));
    c.add(Arguments.of("space in a header name", "GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n"));
    c.add(Arguments.of("space before the colon", "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n"));
    c.add(Arguments.of("header without a colon", "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n"));
    StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 10_000; i++) {
      many.append("X-").append(i).append(": v\r\n");
    }
    c.add(Arguments.of("10,000 headers", many.append("\r\n").toString()));
    c.add(Arguments.of("one 64 KB header", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(65536) + "\r\n\r\n"));
    c.add(Arguments.of("no Host on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n"));
    c.add(Arguments.of("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
    // smuggling: a second request hidden in a body framed two ways
    String body = "0\r\n\r\n" + SMUGGLED;
    String post = "POST /front HTTP/1.1\r\nHost: x\r\n";
    c.add(Arguments.of("CL + TE", post + "Content-Length: " + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body));
    c.add(Arguments.of("TE + CL", post + "Transfer-Encoding: chunked\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));
    for (String te : List.of("Transfer-Encoding: chunked\r\nTransfer-Encoding: x", "Transfer-Encoding: xchunked",
        "Transfer-Encoding : chunked", "Transfer-Encoding: chunked, identity", "Transfer-Encoding: identity, chunked",
        "Transfer-Encoding:\u000bchunked", "X: y\r\n Transfer-Encoding: chunked", "Transfer-Encoding: \"chunked\"",
        "Transfer-Encoding: chunk")) {
      c.add(Arguments.of("TE " + te.replace("\r\n", "\\r\\n"), post + te + "\r\nContent-Length: " + body.length()
          + "\r\n\r\n" + body));
      c.add(Arguments.of("TE only " + te.replace("\r\n", "\\r\\n"), post + te + "\r\n\r\n" + body));
    }
    for (String cl : List.of("+" + body.length(), "-1", "0x" + Integer.toHexString(body.length()),
        body.length() + " " + body.length(), body.length() + ", 6", "6\r\nContent-Length: " + body.length(),
        " " + body.length() + "a", "99999999999999999999")) {
      c.add(Arguments.of("CL " + cl.replace("\r\n", "\\r\\n"), post + "Content-Length: " + cl + "\r\n\r\n" + body));
    }
    return c.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void aHostileRequestGetsA4xxOrAClosedConnectionAndNeverReachesTheUpstream(String name, String request)
      throws Exception {
    int before = received.size();
    int status = send(request);
    assertThat(status).as("%s: a 4xx or a closed connection (0)", name)
        .satisfiesAnyOf(s -> assertThat(s).isZero(), s -> assertThat(s).isBetween(400, 499));
    assertThat(received.subList(before, received.size())).as(name).isEmpty();
    assertThat(send("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).as("still serving").isEqualTo(200);
    assertThat(received).last().isEqualTo("GET /ok");
    assertThat(received).doesNotContain("GET /smuggled");
  }

  /** The status of the first response to {@code request} on a new connection; 0 when it was closed without one. */
  private static int send(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(5_000);
      try {
        s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
      } catch (SocketException closedWhileSending) {
        // refused before the whole request was read (the 1 MB line): what came back, if anything, follows
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      try {
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
          line.write(b);
        }
      } catch (SocketException reset) {
        // closed with a reset
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no answer and not closed within 5 s", e);
      }
      String first = line.toString(StandardCharsets.ISO_8859_1).trim();
      return first.startsWith("HTTP/1.1 ") ? Integer.parseInt(first.substring(9, 12)) : 0;
    }
  }
}
