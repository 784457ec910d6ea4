package io.tollgate.gateway.seeds;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.config.PolicyLoader;
import io.tollgate.gateway.TestGateway;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** One seed platform's example policy, served by a real gateway on a free port, with an optional real upstream. */
final class SeedHarness implements AutoCloseable {

  static {
    // The JDK's test upstream would otherwise send headers and body in two segments and wait on
    // Nagle's algorithm: 40 ms per response that measure the test's upstream, not the gateway.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  // HTTP/1.1, as the seeds' API clients speak (GatewayTest covers h2c upgrades).
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final AtomicInteger upstreamHits = new AtomicInteger();
  private HttpServer upstream;
  private TestGateway gateway;
  /** The gateway's clock (see {@link #start}). */
  io.tollgate.core.Clock clock;

  /** Serves {@code examples/NAME.yaml}; {@code upstreamVariable} (e.g. ONESTACK_UPSTREAM) points it at {@code handler}. */
  static SeedHarness serve(String example, String upstreamVariable, Consumer<HttpExchange> handler) throws Exception {
    SeedHarness h = new SeedHarness();
    Map<String, String> env = new HashMap<>();
    env.put("TOLLGATE_LISTEN", "0");
    if (handler != null) {
      h.upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      h.upstream.setExecutor(Executors.newCachedThreadPool());
      h.upstream.createContext("/", exchange -> {
        h.upstreamHits.incrementAndGet();
        handler.accept(exchange);
        exchange.close();
      });
      h.upstream.start();
      env.put(upstreamVariable, "http://127.0.0.1:" + h.upstream.getAddress().getPort());
    }
    Path file = Path.of("..", "examples", example + ".yaml");
    h.clock = TestGateway.pastADaysStart();
    h.gateway = TestGateway.start(PolicyLoader.parse(Files.readString(file), file.toString(), env), h.clock);
    return h;
  }

  static void respond(HttpExchange exchange, int status, String body) {
    try {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, status == 304 ? -1 : b.length);
      if (status != 304) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(b);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path));
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(request(path));
  }

  HttpResponse<String> post(String path) throws Exception {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString("{}")));
  }

  @Override
  public void close() {
    gateway.close();
    if (upstream != null) {
      upstream.stop(0);
    }
  }
}
