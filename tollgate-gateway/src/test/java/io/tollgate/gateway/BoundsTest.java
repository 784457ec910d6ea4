package io.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.core.Clock;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Slow or oversized clients cannot hold the gateway: header timeout, idle timeout, body and connection bounds. */
class BoundsTest {

  private static HttpServer upstream;
  private static TestGateway gateway;
  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      byte[] answer = ("got " + body.length).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    upstream.start();
    gateway = TestGateway.start("listen: 0\nupstream: http://127.0.0.1:" + upstream.getAddress().getPort() + "\n"
        + "request-header-timeout: 500ms\nidle-timeout: 2s\nmax-request-body: 1KB\nmax-connections: 80\n"
        + "limits:\n  - {name: a, key: [client-ip], limit: 1000000, window: 1h}\n", Map.of(), Clock.system());
  }

  @AfterAll
  static void stop() {
    gateway.close();
    upstream.stop(0);
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  private static Socket connect() throws Exception {
    Socket s = new Socket("127.0.0.1", gateway.port());
    s.setSoTimeout(5_000);
    return s;
  }

  /** Reads until the server closes the connection: true if it did within the socket's timeout. */
  private static boolean closedByServer(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    try {
      while (in.read() != -1) {
        // a 408 or nothing: either way the connection goes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  @Test
  void aSlowlorisOfFiftyConnectionsDoesNotDelayANormalRequestAndIsCutOffAtTheHeaderTimeout() throws Exception {
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        Socket s = connect();
        s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        slow.add(s);
      }
      long start = System.nanoTime();
      HttpResponse<String> normal = http.sendAsync(HttpRequest.newBuilder(uri("/normal")).build(),
          HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
      assertThat(normal.statusCode()).isEqualTo(200);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).as("served beside 50 slow clients")
          .isLessThan(Duration.ofSeconds(2));
      for (Socket s : slow) {
        s.setSoTimeout(1_500); // the header timeout is 500 ms; the idle timeout (2 s) must not be what closes it
        assertThat(closedByServer(s)).as("a connection whose headers never end is closed").isTrue();
      }
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void aKeepAliveConnectionWaitingBetweenRequestsIsNotCutByTheHeaderTimeout() throws Exception {
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write("GET /one HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(PathsTest.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
      s.setSoTimeout(1_000); // twice the header timeout, within the idle timeout
      assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      s.setSoTimeout(5_000);
      out.write("GET /two HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(PathsTest.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
      assertThat(closedByServer(s)).as("then closed by the idle timeout").isTrue();
    }
  }

  @Test
  void aBodyOverTheBoundIs413AndOneWithinItPasses() throws Exception {
    HttpResponse<String> small = http.send(HttpRequest.newBuilder(uri("/up"))
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1024))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.body()).isEqualTo("got 1024");
    HttpResponse<String> big = http.send(HttpRequest.newBuilder(uri("/up"))
        .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1025))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(big.statusCode()).isEqualTo(413);
    // streamed (chunked, no Content-Length): cut off once past the bound
    HttpResponse<String> streamed = http.send(HttpRequest.newBuilder(uri("/up"))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[64 * 1024])))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(streamed.statusCode()).isEqualTo(413);
  }

  @Test
  void connectionsBeyondTheBoundAreClosedAtAccept() throws Exception {
    try (TestGateway small = TestGateway.start("listen: 0\nupstream: echo\nmax-connections: 3\n"
        + "limits:\n  - {name: a, limit: 1000, window: 1h}\n", Map.of(), Clock.system())) {
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket s = new Socket("127.0.0.1", small.port());
          s.setSoTimeout(5_000);
          s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          assertThat(PathsTest.readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
          held.add(s);
        }
        try (Socket fourth = new Socket("127.0.0.1", small.port())) {
          fourth.setSoTimeout(5_000);
          assertThat(closedByServer(fourth)).isTrue();
        }
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
    }
  }
}
