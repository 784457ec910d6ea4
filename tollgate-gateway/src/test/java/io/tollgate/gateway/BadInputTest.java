package io.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyLoader;
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

  private static GatewayServer gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = GatewayServer.start(PolicyLoader.parse(
        "listen: 0\nupstream: echo\nlimits:\n  - {name: a, limit: 1000, window: 1m}\n", "test.yaml", Map.of()));
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
    var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    var res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/big"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[20 * 1024 * 1024])).build(),
        java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(res.statusCode()).isEqualTo(413);
  }
}
