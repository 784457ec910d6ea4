package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.config.PolicyLoader;
import io.tollgate.server.TollgateServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against a real Tollgate gateway enforcing each seed platform's example policy
 * (examples/*.yaml), over real sockets. The gateway decides on the test's fake clock, the one the
 * client's waits advance, so minutes of pacing take milliseconds. Where the client knows the limit
 * (the headers say it), it completes every request with zero refusals, in exactly the time the
 * limit allows; where it does not, it recovers within its attempts.
 */
class SeedGatewaysTest {

  /** A day's start plus one second, so that waits to a window's end are whole minutes less a second. */
  private final FakeTime time = new FakeTime(Instant.parse("2026-03-04T00:00:01Z"));
  private final AtomicInteger refusals = new AtomicInteger();
  private final List<Duration> paced = new ArrayList<>();
  private final List<AutoCloseable> running = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : running) {
      c.close();
    }
  }

  /** Serves examples/{@code example}.yaml on a free port (its upstream at {@code upstream}, or echo); its base URI. */
  private String serve(String example, String upstreamVariable, String upstream) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("TOLLGATE_LISTEN", "0");
    env.put("TOLLGATE_ADMIN", "off");
    if (upstream != null) {
      env.put(upstreamVariable, upstream);
    }
    Path file = Path.of("..", "examples", example + ".yaml");
    TollgateServer gateway = TollgateServer.start(PolicyLoader.parse(Files.readString(file), file.toString(), env),
        time.millis::get);
    running.add(gateway);
    return "http://127.0.0.1:" + gateway.port();
  }

  private TollgateClient.Builder client() {
    return TollgateClient.builder().httpClient(new OnTheGatewaysClock()).time(time.clock, time.sleeper)
        .maxWait(Duration.ofMinutes(15)).listener(new Listener() {
          @Override
          public void refused(HttpRequest request, int status) {
            refusals.incrementAndGet();
          }

          @Override
          public void paced(HttpRequest request, Duration wait) {
            synchronized (paced) {
              paced.add(wait);
            }
          }
        });
  }

  private static int get(TollgateClient c, String uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static int post(TollgateClient c, String uri) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create(uri)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void quickstartFivePerMinuteTwentyThreeRequestsNoRefusalInFourMinutesLessASecond() throws Exception {
    String base = serve("quickstart", null, null);
    TollgateClient c = client().build();
    for (int i = 0; i < 23; i++) {
      assertThat(get(c, base + "/items/" + i)).isEqualTo(200);
    }
    assertThat(refusals.get()).isZero();
    assertThat(time.elapsed()).as("windows 0..4 of a minute: the 23rd goes at the fifth's start")
        .isEqualTo(4 * 60_000 - 1_000);
    assertThat(paced).hasSize(4);
  }

  @Test
  void quickstartAFreshClientThatDoesNotKnowTheLimitIsUsedUpRecoversWithinItsAttempts() throws Exception {
    String base = serve("quickstart", null, null);
    TollgateClient first = client().build();
    for (int i = 0; i < 5; i++) {
      get(first, base + "/");
    }
    TollgateClient stranger = client().build(); // same address, knows nothing yet
    assertThat(get(stranger, base + "/")).isEqualTo(200);
    assertThat(refusals.get()).as("one refusal taught it the reset (Retry-After)").isEqualTo(1);
    assertThat(time.elapsed()).isBetween(59_000L, 60_000L);
  }

  @Test
  void s360Per509AndEndpointWithATenMinuteLimitOnOnePathInItsOwnBucket() throws Exception {
    String base = serve("s360", null, null) + "/tnseb/v1";
    TollgateClient c = client().bucketByPathPrefix(3).build(); // /tnseb/v1/contact, /tnseb/v1/catalog, ...
    assertThat(get(c, base + "/catalog/getCatalogDetailed")).isEqualTo(200);
    for (int i = 0; i < 130; i++) {
      assertThat(get(c, base + "/contact/" + i)).isEqualTo(200);
    }
    assertThat(time.elapsed()).as("60 per minute: 130 in three windows").isEqualTo(2 * 60_000 - 1_000);
    assertThat(get(c, base + "/catalog/getCatalogDetailed")).isEqualTo(200);
    assertThat(time.elapsed()).as("1 per 10 minutes, counted from the window's start").isEqualTo(10 * 60_000 - 1_000);
    assertThat(refusals.get()).isZero();
  }

  @Test
  void swCombineRefusesWith400ItIsNeverSentOneAndAStrangerRetriesItWhenTold() throws Exception {
    String base = serve("swcombine", null, null) + "/ws/v2.0";
    TollgateClient c = client().maxWait(Duration.ofHours(1)).build();
    for (int i = 0; i < 650; i++) {
      assertThat(get(c, base + "/time/cgt")).isEqualTo(200);
    }
    assertThat(refusals.get()).isZero();
    assertThat(time.elapsed()).as("600 per hour: the 601st waits for the next hour").isEqualTo(3_600_000 - 1_000);
    for (int i = 0; i < 550; i++) {
      get(c, base + "/time/cgt");
    }
    TollgateClient stranger = client().maxWait(Duration.ofHours(2)).retryOn(Set.of(400)).build();
    assertThat(get(stranger, base + "/time/cgt")).isEqualTo(200);
    assertThat(refusals.get()).as("SWCombine's 400 with X-RateLimit-Reset, retried as asked").isEqualTo(1);
    assertThat(time.elapsed()).as("the reset, and at most a second of jitter")
        .isBetween(2 * 3_600_000L - 1_000, 2 * 3_600_000L);
  }

  @Test
  void salesTimTenConcurrentJobsFortyAtOnceNoRefusalWithTheCapDeclared() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    Semaphore finish = new Semaphore(0); // jobs run until the test lets them finish
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.createContext("/", exchange -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      finish.acquireUninterruptibly();
      inFlight.decrementAndGet();
      exchange.sendResponseHeaders(202, -1);
      exchange.close();
    });
    upstream.start();
    running.add(() -> upstream.stop(0));
    String base = serve("salestim", "SALESTIM_UPSTREAM", "http://127.0.0.1:" + upstream.getAddress().getPort());
    // The cap alone: no probe first, which would hold the others until an answer the jobs hold back.
    TollgateClient c = client().concurrency(TollgateClient.hostPort(URI.create(base)), 10).probeFirst(false).build();
    List<CompletableFuture<HttpResponse<Void>>> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      jobs.add(c.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs")).header("X-App-Id", "app-1")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.discarding()));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (inFlight.get() < 10 && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // ten jobs running at once, the other thirty queued in the client
    }
    finish.release(40);
    for (var job : jobs) {
      assertThat(job.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
    }
    assertThat(refusals.get()).isZero();
    assertThat(most.get()).as("the cap was reached, never passed").isEqualTo(10);
  }

  @Test
  void platformApiOneProcessPerSitePerFiveMinutesAndFivePerSecondPerEndpoint() throws Exception {
    String base = serve("platform-api", null, null);
    TollgateClient c = client().bucketByPathPrefix(3).build();
    for (int i = 0; i < 3; i++) {
      assertThat(post(c, base + "/platform/v2/process/site-1")).isEqualTo(200);
    }
    assertThat(time.elapsed()).isEqualTo(2 * 5 * 60_000 - 1_000);
    long before = time.elapsed();
    for (int i = 0; i < 12; i++) {
      assertThat(get(c, base + "/other/thing")).isEqualTo(200);
    }
    assertThat(time.elapsed() - before).as("5 per second: 12 in three seconds' windows").isEqualTo(2_000);
    assertThat(refusals.get()).isZero();
  }

  @Test
  void oneStackATenantsTwoKeysShareItsLimitAndTheClientPacesThemAsOne() throws Exception {
    String base = serve("onestack", null, null);
    TollgateClient acme = client().build(); // one client for the tenant, its keys in turn
    for (int i = 0; i < 650; i++) {
      assertThat(get(acme, base + "/v1/things", "X-Api-Key", i % 2 == 0 ? "key-a1" : "key-a2")).isEqualTo(200);
    }
    assertThat(time.elapsed()).as("600 per minute for acme").isEqualTo(60_000 - 1_000);
    TollgateClient globex = client().build();
    for (int i = 0; i < 150; i++) {
      assertThat(get(globex, base + "/v1/things", "X-Api-Key", "key-g1")).isEqualTo(200);
    }
    assertThat(time.elapsed()).as("100 per minute for globex: the 101st waits for the next whole minute")
        .isEqualTo(2 * 60_000 - 1_000);
    assertThat(refusals.get()).isZero();
  }
}
