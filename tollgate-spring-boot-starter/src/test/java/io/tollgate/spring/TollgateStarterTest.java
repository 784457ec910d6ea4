package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.RateLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The starter in a real Spring Boot application (embedded Tomcat, a random port), driven over HTTP:
 * the dependency and {@code tollgate.policy} turn it on; tenants across API keys, 304s not counted,
 * reads vs writes, a limit's own 509, the status endpoint, a concurrency slot held by an asynchronous
 * controller; the RateLimiter bean. One application for the class, each test on keys of its own.
 */
class TollgateStarterTest {

  static ConfigurableApplicationContext app;
  static String base;
  static final HttpClient http = HttpClient.newHttpClient();
  static final Map<String, DeferredResult<String>> jobs = new ConcurrentHashMap<>();

  @SpringBootApplication
  @RestController
  static class Demo {
    @GetMapping("/items/{id}")
    ResponseEntity<String> item(@PathVariable("id") String id, @RequestHeader(value = "If-None-Match", required = false) String tag) {
      return "\"v1\"".equals(tag) ? ResponseEntity.status(304).eTag("v1").build()
          : ResponseEntity.ok().eTag("v1").body("item " + id);
    }

    @PostMapping("/items/{id}")
    String write(@PathVariable("id") String id) {
      return "written " + id;
    }

    @GetMapping("/export")
    String export() {
      return "export";
    }

    @GetMapping("/jobs")
    DeferredResult<String> job(@RequestHeader("X-Job") String name) {
      DeferredResult<String> r = new DeferredResult<>(30_000L);
      jobs.put(name, r);
      return r;
    }
  }

  @BeforeAll
  static void start() {
    app = new SpringApplication(Demo.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--tollgate.policy=classpath:tollgate-test.yaml", "--spring.main.banner-mode=off");
    base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
        HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aTenantsKeysShareOneBudgetAndNotModifiedIsNotCounted() throws Exception {
    List<String> seen = new ArrayList<>();
    for (String key : new String[] {"key-a1", "key-a2", "key-a1", "key-a2", "key-a1"}) {
      HttpResponse<String> r = send("GET", "/items/1", "X-Api-Key", key);
      seen.add(r.statusCode() + ":" + r.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
    }
    assertThat(seen).as("acme's two keys, one budget of 4").containsExactly("200:3", "200:2", "200:1", "200:0", "429:0");
    assertThat(send("GET", "/items/1", "X-Api-Key", "key-g1").statusCode()).as("another tenant").isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(send("GET", "/items/1", "X-Api-Key", "key-g1", "If-None-Match", "\"v1\"").statusCode()).isEqualTo(304);
    }
    assertThat(send("GET", "/items/1", "X-Api-Key", "key-g1").headers().firstValue("X-RateLimit-Remaining"))
        .as("the 304s gave their units back").hasValue("2");
    HttpResponse<String> refused = send("GET", "/items/1", "X-Api-Key", "key-a1");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void writesHaveALimitOfTheirOwnAndARefusalItsOwnStatus() throws Exception {
    assertThat(send("POST", "/items/7", "X-Forwarded-For", "x", "X-Api-Key", "nobody").statusCode()).isEqualTo(200);
    assertThat(send("POST", "/items/7", "X-Api-Key", "nobody").statusCode()).as("one write an hour").isEqualTo(429);
    assertThat(send("GET", "/items/7", "X-Api-Key", "nobody").statusCode()).as("reads go on").isEqualTo(200);
    assertThat(send("GET", "/export").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/export").statusCode()).isEqualTo(509);
  }

  @Test
  void theStatusEndpointAndTheRateLimiterBean() throws Exception {
    send("GET", "/items/9", "X-Api-Key", "key-solo");
    HttpResponse<String> view = send("GET", "/ratelimits", "X-Api-Key", "key-solo");
    assertThat(view.body()).contains("\"name\":\"per-tenant\"").contains("\"remaining\":3");
    RateLimiter limiter = app.getBean(RateLimiter.class);
    assertThat(limiter.policy().limits()).extracting(l -> l.name()).contains("per-tenant", "writes", "export", "jobs");
    io.micrometer.core.instrument.MeterRegistry registry = app.getBean(io.micrometer.core.instrument.MeterRegistry.class);
    assertThat(registry.find("tollgate.limit.decisions").tag("limit", "per-tenant").tag("outcome", "allowed").counter())
        .as("the engine's meters in the application's registry").isNotNull();
    assertThat(registry.find("tollgate.decision.duration").timer()).isNotNull();
    assertThat(registry.find("tollgate.store.counters").gauge()).isNotNull();
  }

  @Test
  void aConcurrencySlotIsHeldByAnAsynchronousControllerUntilItsResponseCompletes() throws Exception {
    CompletableFuture<HttpResponse<String>> first = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs"))
        .header("X-Job", "one").build(), HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!jobs.containsKey("one") && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertThat(send("GET", "/jobs", "X-Job", "two").statusCode()).as("the slot is held").isEqualTo(429);
    jobs.remove("one").setResult("done");
    assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
    CompletableFuture<HttpResponse<String>> third = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs"))
        .header("X-Job", "three").build(), HttpResponse.BodyHandlers.ofString());
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!jobs.containsKey("three") && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    assertThat(jobs).as("the slot came back when the response completed").containsKey("three");
    jobs.remove("three").setResult("done");
    assertThat(third.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }
}
