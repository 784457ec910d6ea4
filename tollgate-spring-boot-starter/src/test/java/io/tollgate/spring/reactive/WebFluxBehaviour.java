package io.tollgate.spring.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import io.tollgate.spring.SeedBehaviour;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.embedded.netty.NettyWebServer;
import org.springframework.boot.web.reactive.context.ReactiveWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The starter in a real WebFlux application (Reactor Netty on a random port), driven over HTTP:
 * {@link SeedBehaviour}'s cases, a concurrency slot held by a controller's pending Mono until its
 * response completes or the client goes away, the actuator endpoint, health and meters. A subclass
 * per store starts one application for its class.
 */
abstract class WebFluxBehaviour extends SeedBehaviour {

  static final Map<String, Sinks.One<String>> jobs = new ConcurrentHashMap<>();
  static final Set<String> cancelled = ConcurrentHashMap.newKeySet();

  /** The application: these controllers and the auto-configuration, nothing scanned. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  @RestController
  static class ReactiveDemo {
    /** Reactor Netty, as a WebFlux application has it (Tomcat, on this module's classpath too, would come first). */
    @Bean
    NettyReactiveWebServerFactory netty() {
      return new NettyReactiveWebServerFactory();
    }

    @GetMapping("/items/{id}")
    Mono<ResponseEntity<String>> item(@PathVariable("id") String id,
        @RequestHeader(value = "If-None-Match", required = false) String tag) {
      return Mono.just("\"v1\"".equals(tag) ? ResponseEntity.status(304).eTag("v1").build()
          : ResponseEntity.ok().eTag("v1").body("item " + id));
    }

    @PostMapping("/items/{id}")
    Mono<String> write(@PathVariable("id") String id) {
      return Mono.just("written " + id);
    }

    @GetMapping("/export")
    Mono<String> export() {
      return Mono.just("export");
    }

    @GetMapping("/lookup/{id}")
    Mono<String> lookup(@PathVariable("id") String id) {
      return id.startsWith("missing") ? Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, id))
          : Mono.just("found " + id);
    }

    @GetMapping("/jobs")
    Mono<String> job(@RequestHeader("X-Job") String name) {
      Sinks.One<String> done = Sinks.one();
      jobs.put(name, done);
      return done.asMono().doOnCancel(() -> cancelled.add(name));
    }
  }

  static void start(String... more) {
    http = HttpClient.newHttpClient();
    jobs.clear();
    cancelled.clear();
    List<String> args = new ArrayList<>(List.of("--server.port=0", "--server.address=127.0.0.1",
        "--spring.main.web-application-type=reactive", "--tollgate.policy=classpath:tollgate-test.yaml",
        "--spring.main.banner-mode=off",
        // A second Reactor Netty application in one JVM (the Redis class after the memory one) waits the
        // full 30 s of graceful shutdown for "a request still active" although its access log shows every
        // request answered; seen with reactor-netty 1.2.11 on Netty 4.2, never with the class alone.
        "--server.shutdown=immediate",
        "--management.endpoints.web.exposure.include=health,tollgate", "--management.endpoint.health.show-details=always"));
    args.addAll(List.of(more));
    use(new SpringApplication(ReactiveDemo.class).run(args.toArray(new String[0])));
  }

  @AfterAll
  static void answerPendingJobs() {
    jobs.values().forEach(pending -> pending.tryEmitValue("stopping"));
  }

  @Test
  void theWebFilterDecidesOnReactorNetty() {
    assertThat(((ReactiveWebServerApplicationContext) app).getWebServer()).isInstanceOf(NettyWebServer.class);
    assertThat(app.getBean(TollgateWebFilter.class).limiter().policy().limits()).hasSize(5);
    assertThat(app.getBeanNamesForType(org.springframework.boot.web.servlet.FilterRegistrationBean.class)).isEmpty();
  }

  @Test
  void anEncodedSlashIsRefusedByDefault() throws Exception {
    assertThat(send("GET", "/items%2F5", "X-Api-Key", "key-x").statusCode()).isEqualTo(400);
  }

  @Test
  void theActuatorEndpointHealthAndMeters() throws Exception {
    HttpResponse<String> view = send("GET", "/actuator/tollgate");
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body()).contains("\"sha256\"").contains("lookups {2/1h");
    assertThat(send("POST", "/actuator/tollgate").body()).contains("\"result\":\"unchanged\"");
    assertThat(send("GET", "/actuator/health/tollgate").body()).contains("\"status\":\"UP\"");
    assertThat(app.getBean(RateLimiter.class).policy().limits()).extracting(l -> l.name()).contains("lookups");
    io.micrometer.core.instrument.MeterRegistry registry = app.getBean(io.micrometer.core.instrument.MeterRegistry.class);
    assertThat(registry.find("tollgate.decision.duration").timer()).as("the engine's meters").isNotNull();
  }

  @Test
  void aConcurrencySlotIsHeldUntilTheResponseCompletesOrTheClientGoesAway() throws Exception {
    CompletableFuture<HttpResponse<String>> first = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs"))
        .header("X-Job", "one").build(), HttpResponse.BodyHandlers.ofString());
    await(() -> jobs.containsKey("one"), "job one");
    assertThat(send("GET", "/jobs", "X-Job", "two").statusCode()).as("the slot is held").isEqualTo(429);
    jobs.remove("one").tryEmitValue("done");
    assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");

    try (Socket s = new Socket("127.0.0.1", URI.create(base).getPort())) { // a client that goes away
      OutputStream out = s.getOutputStream();
      out.write("GET /jobs HTTP/1.1\r\nHost: t\r\nX-Job: gone\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await(() -> jobs.containsKey("gone"), "job gone");
    }
    await(() -> cancelled.contains("gone"), "the server to see the client go");
    // the slot comes back (on Redis a moment later: the release is asynchronous)
    CompletableFuture<HttpResponse<String>> third = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!jobs.containsKey("three") && System.nanoTime() < deadline) {
      CompletableFuture<HttpResponse<String>> attempt = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs"))
          .header("X-Job", "three").build(), HttpResponse.BodyHandlers.ofString());
      await(() -> jobs.containsKey("three") || attempt.isDone(), "job three");
      third = attempt;
    }
    assertThat(jobs).as("the slot came back when the client went away").containsKey("three");
    jobs.remove("three").tryEmitValue("done");
    assertThat(third.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    RateLimiter limiter = app.getBean(TollgateWebFilter.class).limiter();
    await(() -> limiter.status(RequestInfo.builder().path("/jobs").build()).stream()
        .anyMatch(st -> st.name().equals("jobs") && st.remaining() == 1), "every slot back");
  }
}
