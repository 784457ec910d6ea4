package io.tollgate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The gateway on a real socket in front of a real HTTP upstream, driven by java.net.http. */
class GatewayTest {

  static {
    // The JDK's test upstream would otherwise send headers and body in two segments and wait on
    // Nagle's algorithm: 40 ms per response that measure the test's upstream, not the gateway.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  // The JDK client's default: its first request on a connection asks to upgrade to h2c.
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private TestGateway gateway;
  private HttpServer upstream;
  private final AtomicInteger upstreamHits = new AtomicInteger();

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.stop(0);
    }
  }

  private void startGateway(String policy) throws Exception {
    gateway = TestGateway.start(policy, Map.of(), TestGateway.pastADaysStart()); // no 1m window ends mid-test
  }

  private int startUpstream(int status, CountDownLatch hold) throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    upstream.createContext("/", exchange -> {
      upstreamHits.incrementAndGet();
      try {
        if (hold != null) {
          hold.await(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = ("hello from upstream, xff=" + exchange.getRequestHeaders().getFirst("X-Forwarded-For"))
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, status == 304 ? -1 : body.length);
      if (status != 304) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
      exchange.close();
    });
    upstream.start();
    return upstream.getAddress().getPort();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void quickstartShowsTheHeadersThenRefusesWithTheJsonBody() throws Exception {
    startGateway("listen: 0\nupstream: echo\nlimits:\n  - {name: per-ip, key: [client-ip], limit: 3, window: 1m}\n");
    for (int i = 2; i >= 0; i--) {
      HttpResponse<String> ok = get("/hello?x=1");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
      assertThat(ok.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(i));
      assertThat(ok.headers().firstValue("Retry-After")).isEmpty();
      assertThat(ok.headers().firstValue("RateLimit-Policy")).hasValue("\"per-ip\";q=3;w=60");
      assertThat(ok.body()).contains("\"method\":\"GET\"", "\"path\":\"/hello\"", "\"query\":\"x=1\"");
    }
    HttpResponse<String> refused = get("/hello");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(refused.body()).isEqualTo("{\"error\":\"Rate limit exceeded\",\"code\":\"RATE_LIMIT_EXCEEDED\","
        + "\"details\":{\"limit\":3,\"window\":\"1m\",\"retryAfter\":" + retryAfter + "}}");
  }

  @Test
  void aRefusedRequestNeverReachesTheUpstreamAndUncountedStatusesGiveUnitsBack() throws Exception {
    int port = startUpstream(304, null);
    startGateway("listen: 0\nupstream: http://127.0.0.1:" + port + "\nrefusal: {status: 509}\nlimits:\n"
        + "  - {name: w, limit: 2, window: 1m, uncounted-statuses: [304]}\n"
        + "  - {name: hard, limit: 5, window: 1m}\n");
    for (int i = 0; i < 5; i++) {
      assertThat(get("/x").statusCode()).isEqualTo(304); // 304s give 'w' its units back; 'hard' counts them
    }
    assertThat(get("/x").statusCode()).isEqualTo(509);
    assertThat(upstreamHits.get()).isEqualTo(5);
  }

  @Test
  void proxiesToTheUpstreamWithForwardedHeaders() throws Exception {
    int port = startUpstream(200, null);
    startGateway("listen: 0\nupstream: http://127.0.0.1:" + port + "\nlimits:\n  - {name: a, limit: 100, window: 1m}\n");
    HttpResponse<String> res = get("/anything");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("hello from upstream, xff=127.0.0.1");
  }

  @Test
  void anUnreachableUpstreamIs502AndAConcurrencySlotIsReleased() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    startGateway("listen: 0\nupstream: http://127.0.0.1:" + closedPort + "\nlimits:\n  - {name: jobs, concurrency: 1}\n");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> res = get("/x");
      assertThat(res.statusCode()).isEqualTo(502);
      assertThat(res.body()).isEqualTo("{\"error\":\"upstream unreachable\",\"status\":502}");
    }
  }

  @Test
  void anUpstreamThatResetsTheConnectionIs502AndLeaksNoSlot() throws Exception {
    try (ServerSocket resetting = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread acceptor = new Thread(() -> {
        while (!resetting.isClosed()) {
          try (java.net.Socket s = resetting.accept()) {
            s.getInputStream().read(new byte[8192]); // the request arrives ...
            s.setSoLinger(true, 0); // ... and the connection is reset (RST), no response
          } catch (IOException e) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      startGateway("listen: 0\nupstream: http://127.0.0.1:" + resetting.getLocalPort()
          + "\nlimits:\n  - {name: jobs, concurrency: 1}\n");
      for (int i = 0; i < 3; i++) { // a leaked slot would make the second one a 429
        HttpResponse<String> res = get("/x");
        assertThat(res.statusCode()).isEqualTo(502);
        assertThat(res.body()).isEqualTo("{\"error\":\"upstream failed\",\"status\":502}");
      }
    }
  }

  @Test
  void anUpstreamSlowerThanTheTimeoutIs504() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    int port = startUpstream(200, hold);
    startGateway("listen: 0\nupstream: http://127.0.0.1:" + port + "\nupstream-timeout: 300ms\n"
        + "limits:\n  - {name: jobs, concurrency: 1}\n");
    HttpResponse<String> res = get("/slow");
    hold.countDown();
    assertThat(res.statusCode()).isEqualTo(504);
    assertThat(res.body()).isEqualTo("{\"error\":\"upstream timeout\",\"status\":504}");
    assertThat(res.headers().firstValue("RateLimit-Policy")).hasValue("\"jobs\";q=1;qu=\"concurrent-requests\"");
    assertThat(get("/next").statusCode()).as("the timed-out request's slot was released").isEqualTo(200);
  }

  @Test
  void aClientThatGoesAwayReleasesItsSlot() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    upstream.createContext("/", exchange -> {
      try {
        if (upstreamHits.incrementAndGet() == 1) {
          hold.await(10, TimeUnit.SECONDS); // only the first request is held, until the test ends
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    upstream.start();
    startGateway("listen: 0\nupstream: http://127.0.0.1:" + upstream.getAddress().getPort()
        + "\nlimits:\n  - {name: jobs, concurrency: 1}\n");
    try {
      try (java.net.Socket client = new java.net.Socket("127.0.0.1", gateway.port())) {
        client.getOutputStream().write("GET /job HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        while (upstreamHits.get() == 0) {
          Thread.onSpinWait(); // the request holds the slot, upstream
        }
        assertThat(get("/job").statusCode()).isEqualTo(429);
      } // the client goes away, its request still held upstream
      HttpResponse<String> after = get("/job");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (after.statusCode() != 200 && System.nanoTime() < deadline) {
        after = get("/job"); // the abort is seen when the gateway notices the closed connection
      }
      assertThat(after.statusCode()).as("the slot came back when the client left").isEqualTo(200);
    } finally {
      hold.countDown();
    }
  }

  @Test
  void concurrencyIsReleasedWhenTheResponseCompletes() throws Exception {
    CountDownLatch hold = new CountDownLatch(1);
    int port = startUpstream(200, hold);
    startGateway("listen: 0\nupstream: http://127.0.0.1:" + port + "\nlimits:\n  - {name: jobs, concurrency: 1}\n");
    var first = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/job")).build(),
        HttpResponse.BodyHandlers.ofString());
    while (upstreamHits.get() == 0) {
      Thread.onSpinWait();
    }
    HttpResponse<String> second = get("/job");
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
    hold.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    HttpResponse<String> third = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while ((third == null || third.statusCode() != 200) && System.nanoTime() < deadline) {
      third = get("/job"); // the slot is released when the first response's log completes
    }
    assertThat(third.statusCode()).isEqualTo(200);
  }

  @Test
  void theStatusEndpointShowsTheCallersCountersInJsonAndXmlAndCountsNothing() throws Exception {
    startGateway("listen: 0\nupstream: echo\nstatus-endpoint: /ratelimits\nroutes:\n  - {name: time, match: [/time/**]}\n"
        + "limits:\n  - {name: per-ip, routes: [time], key: [route, client-ip], limit: 150, window: 1h}\n");
    get("/time/CGT");
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> json = get("/ratelimits");
      assertThat(json.statusCode()).isEqualTo(200);
      assertThat(json.body()).matches("\\{\"ratelimits\":\\[\\{\"name\":\"per-ip\",\"pattern\":\"/time/\\*\\*\",\"limit\":150,"
          + "\"remaining\":149,\"reset\":\\d+,\"reset_time\":\"[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:00:00 \\+0000\","
          + "\"window\":\"1h\"}]}");
    }
    HttpResponse<String> xml = get("/ratelimits?format=xml");
    assertThat(xml.body()).startsWith("<ratelimits version=\"0.1\" total=\"1\"><ratelimit name=\"per-ip\" "
        + "pattern=\"/time/**\" limit=\"150\" remaining=\"149\" reset=\"");
  }

  private HttpResponse<String> getFrom(String forwardedFor, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .header("X-Forwarded-For", forwardedFor).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void forwardedForCountsOnlyFromATrustedProxyAndTheDenyListAppliesToTheStatusEndpointToo() throws Exception {
    startGateway("listen: 0\nupstream: echo\ntrusted-proxies: [127.0.0.0/8]\ndeny: [203.0.113.0/24]\n"
        + "status-endpoint: /ratelimits\nlimits:\n  - {name: per-ip, key: [client-ip], limit: 1, window: 1m}\n");
    assertThat(getFrom("198.51.100.1", "/a").statusCode()).isEqualTo(200);
    assertThat(getFrom("198.51.100.1", "/a").statusCode()).isEqualTo(429);
    assertThat(getFrom("198.51.100.2", "/a").statusCode()).as("another caller behind the proxy").isEqualTo(200);
    assertThat(getFrom("198.51.100.9, 127.0.0.5", "/a").statusCode()).as("right-most untrusted hop").isEqualTo(200);
    assertThat(getFrom("203.0.113.7", "/a").statusCode()).isEqualTo(403);
    assertThat(getFrom("203.0.113.7", "/ratelimits").statusCode()).isEqualTo(403);
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
    startGateway("listen: 0\nupstream: echo\ntrusted-proxies: [10.0.0.0/8]\nlimits:\n"
        + "  - {name: per-ip, key: [client-ip], limit: 1, window: 1m}\n");
    assertThat(getFrom("198.51.100.1", "/a").statusCode()).isEqualTo(200);
    assertThat(getFrom("198.51.100.2", "/a").statusCode()).as("the peer 127.0.0.1 is the caller").isEqualTo(429);
  }
}
