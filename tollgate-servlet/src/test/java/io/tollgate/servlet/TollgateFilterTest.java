package io.tollgate.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.FakeClock;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TollgateFilter} in a real Jetty 12 (Servlet 6) with only the filter and plain servlets,
 * driven over HTTP: limits per route and client, the refusal's status, headers and body, the
 * context path, unreadable paths and identities, the status endpoint, uncounted statuses, and
 * concurrency slots given back by synchronous, asynchronous and failed requests. One server for the
 * class, a fake clock moved an hour per test.
 */
class TollgateFilterTest {

  static final FakeClock clock = FakeClock.atWholeDay();
  static final AtomicInteger reached = new AtomicInteger(); // requests the application saw
  static final Map<String, AsyncContext> held = new ConcurrentHashMap<>();
  static RateLimiter limiter;
  static Server jetty;
  static String base;
  static final HttpClient http = HttpClient.newHttpClient();

  static final String POLICY = String.join("\n",
      "trusted-proxies: [127.0.0.1/32]",
      "status-endpoint: /ratelimits",
      "refusal: {status: 429, headers: [x-ratelimit, retry-after]}",
      "routes:",
      "  - {name: items, match: [/v1/items/**]}",
      "limits:",
      "  - {name: per-client, routes: [items], key: [client-ip], limit: 3, window: 1h}",
      "  - {name: per-key, paths: [/keyed/**], key: [header:X-Api-Key], limit: 100, window: 1h}",
      "  - {name: export, paths: [/export], limit: 1, window: 1h, refusal: {status: 509}}",
      "  - {name: cached, paths: [/cached], key: [client-ip], limit: 2, window: 1h, uncounted-statuses: [304]}",
      "  - {name: jobs, paths: [/jobs/**], concurrency: 1}",
      "  - {name: fragile, paths: [/boom], concurrency: 1}",
      "");

  @BeforeAll
  static void start() throws Exception {
    PolicyFile file = PolicyLoader.parse(POLICY, "tollgate.yaml", Map.of());
    limiter = RateLimiter.builder(file.policy()).clock(clock).build();
    TollgateFilter filter = TollgateFilter.builder(limiter).trustedProxies(file.settings().trustedProxies())
        .clock(clock).build();
    jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/app");
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new App()), "/*");
    ServletHolder async = new ServletHolder(new Jobs());
    async.setAsyncSupported(true);
    context.addServlet(async, "/jobs/*");
    context.getServletHandler().getFilters()[0].setAsyncSupported(true);
    jetty.setHandler(context);
    jetty.start();
    base = "http://127.0.0.1:" + connector.getLocalPort() + "/app";
  }

  @AfterAll
  static void stop() throws Exception {
    jetty.stop();
  }

  @BeforeEach
  void nextHour() {
    clock.advance(Duration.ofHours(1));
  }

  /** The application: 200 "ok", or the status ?status= asks for; fails on /boom. */
  static final class App extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
      reached.incrementAndGet();
      if (req.getRequestURI().endsWith("/boom")) {
        throw new IllegalStateException("the application failed");
      }
      String status = req.getParameter("status");
      res.setStatus(status == null ? 200 : Integer.parseInt(status));
      if (status == null) {
        res.getWriter().write("ok");
      }
    }
  }

  /** An asynchronous job: the response completes when the test says so ({@link #held}). */
  static final class Jobs extends HttpServlet {
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) {
      reached.incrementAndGet();
      AsyncContext ctx = req.startAsync();
      ctx.setTimeout(0);
      held.put(req.getRequestURI(), ctx);
    }
  }

  static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aLimitPerRouteAndClientWithItsHeadersAndARefusalTheApplicationNeverSees() throws Exception {
    List<String> seen = new ArrayList<>();
    int before = reached.get();
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = get("/v1/items/42", "X-Forwarded-For", "198.51.100.7");
      seen.add(r.statusCode() + ":" + r.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
    }
    assertThat(seen).containsExactly("200:2", "200:1", "200:0", "429:0");
    assertThat(reached.get() - before).as("the refused request never reached the application").isEqualTo(3);
    HttpResponse<String> refused = get("/v1/items/42", "X-Forwarded-For", "198.51.100.7");
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("3600");
    assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(refused.body()).contains("Rate limit exceeded");
    assertThat(get("/v1/items/42", "X-Forwarded-For", "198.51.100.8").statusCode()).as("another client").isEqualTo(200);
    assertThat(get("/other").headers().firstValue("X-RateLimit-Remaining")).as("no limit applies").isEmpty();
  }

  @Test
  void aRefusalBlocksOwnStatus() throws Exception {
    assertThat(get("/export").statusCode()).isEqualTo(200);
    assertThat(get("/export").statusCode()).isEqualTo(509);
  }

  @Test
  void pathsAreReadAsTheGatewayReadsThemAndIdentitiesOnce() throws Exception {
    for (int i = 0; i < 3; i++) {
      get("/v1/items/1", "X-Forwarded-For", "203.0.113.9");
    }
    int before = reached.get();
    for (String spelling : new String[] {"/v1/./items/1", "/v1/%69tems/1", "/v1/items/x/../1"}) {
      assertThat(get(spelling, "X-Forwarded-For", "203.0.113.9").statusCode()).as(spelling).isEqualTo(429);
    }
    // Jetty 12 (UriCompliance DEFAULT) answers an empty segment 400 itself, before any filter: stricter
    assertThat(get("/v1//items/1", "X-Forwarded-For", "203.0.113.9").statusCode()).isIn(400, 429);
    assertThat(reached.get()).as("no spelling reached the application").isEqualTo(before);
    assertThat(get("/v1/items%2F1").statusCode()).as("an encoded slash").isEqualTo(400);
    HttpResponse<String> twice = http.send(HttpRequest.newBuilder(URI.create(base + "/keyed/a"))
        .header("X-Api-Key", "one").header("X-Api-Key", "two").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(twice.statusCode()).isEqualTo(400);
    assertThat(twice.body()).contains("header x-api-key was sent twice with different values");
  }

  @Test
  void theStatusEndpointShowsTheCallersOwnCounters() throws Exception {
    get("/v1/items/1", "X-Forwarded-For", "192.0.2.77");
    HttpResponse<String> view = get("/ratelimits", "X-Forwarded-For", "192.0.2.77");
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body()).contains("{\"name\":\"per-client\",\"pattern\":\"/v1/items/**\",\"limit\":3,\"remaining\":2");
    assertThat(get("/ratelimits?format=xml", "X-Forwarded-For", "192.0.2.77").body()).startsWith("<ratelimits");
  }

  @Test
  void anUncountedStatusGivesItsUnitsBack() throws Exception {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      seen.add(get("/cached?status=304", "X-Forwarded-For", "192.0.2.5").statusCode());
    }
    seen.add(get("/cached", "X-Forwarded-For", "192.0.2.5").statusCode());
    seen.add(get("/cached", "X-Forwarded-For", "192.0.2.5").statusCode());
    seen.add(get("/cached", "X-Forwarded-For", "192.0.2.5").statusCode());
    assertThat(seen).as("304s take nothing; then 2 of 2").containsExactly(304, 304, 304, 304, 200, 200, 429);
  }

  private static boolean jobsSlotFree() {
    return limiter.status(RequestInfo.builder().path("/jobs/3").build()).stream()
        .anyMatch(st -> st.name().equals("jobs") && st.remaining() == 1);
  }

  @Test
  void aConcurrencySlotComesBackWhenAnAsynchronousResponseCompletes() throws Exception {
    CompletableFuture<HttpResponse<String>> first = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs/1"))
        .build(), HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!held.containsKey("/app/jobs/1") && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    assertThat(held).containsKey("/app/jobs/1");
    assertThat(get("/jobs/2").statusCode()).as("the one slot is held by the job in flight").isEqualTo(429);
    AsyncContext job = held.remove("/app/jobs/1");
    job.getResponse().getWriter().write("done");
    job.complete();
    assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    // the slot comes back when the asynchronous response completes: the container tells its
    // listeners just after the response went out, so the client may see it a moment earlier
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!jobsSlotFree() && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    CompletableFuture<HttpResponse<String>> third = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs/3"))
        .build(), HttpResponse.BodyHandlers.ofString());
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!held.containsKey("/app/jobs/3") && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    assertThat(held).as("the slot came back").containsKey("/app/jobs/3");
    held.remove("/app/jobs/3").complete();
    assertThat(third.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aConcurrencySlotComesBackWhenTheApplicationFails() throws Exception {
    assertThat(get("/boom").statusCode()).isEqualTo(500);
    assertThat(get("/boom").statusCode()).as("the failed request's slot came back").isEqualTo(500);
  }
}
