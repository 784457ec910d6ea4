package io.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.Clock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Malformed requests over a raw socket: a clear 4xx, and the gateway keeps serving. */
class BadInputTest {

  private static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start("listen: 0\nupstream: echo\nlimits:\n  - {name: a, limit: 1000, window: 1m}\n", Map.of(),
        Clock.system());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  /** Sends raw bytes, returns the status line of the answer. */
  private static String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) != -1 && b != '\n') {
        line.write(b);
      }
      return line.toString(StandardCharsets.ISO_8859_1).trim();
    }
  }

  @Test
  void aRequestWithBothContentLengthAndTransferEncodingIsRefusedAndCannotSmuggleASecondOne() throws Exception {
    // Content-Length says the body is "0\r\n\r\n" plus the GET; Transfer-Encoding says the body ends
    // at "0\r\n\r\n". The classic smuggling vector: refused (Netty's HTTP/1 decoder since 4.2.8 or
    // so), and the connection closed, so the GET is never read as a request.
    String smuggle = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 38\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(smuggle.getBytes(StandardCharsets.ISO_8859_1));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1); // until closed
      assertThat(all).startsWith("HTTP/1.1 400").containsIgnoringCase("connection: close");
      assertThat(all.split("HTTP/1.1 ", -1)).as(all).hasSize(2); // one response, then the gateway closed
      assertThat(all).doesNotContain("smuggled");
    }
    assertThat(raw("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrderOnOneConnection() throws Exception {
    try (Socket s = new Socket("127.0.0.1", gateway.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
          + "GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(all.split("HTTP/1.1 200", -1)).as(all).hasSize(4);
    }
  }

  @Test
  void garbageIsABadRequest() throws Exception {
    assertThat(raw("THIS IS NOT HTTP\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(raw("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void oversizedHeadersAre431() throws Exception {
    String big = "a".repeat(64 * 1024);
    assertThat(raw("GET /x HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n")).startsWith("HTTP/1.1 431");
    assertThat(raw("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).isEqualTo("HTTP/1.1 200 OK");
  }

  @Test
  void theEchoUpstreamRefusesBodiesItWouldHaveToHoldWhole() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient(); // asks for an h2c upgrade with a 20 MB body
    var res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/big"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[20 * 1024 * 1024])).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(res.statusCode()).isEqualTo(413);
  }
}
