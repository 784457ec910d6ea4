package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.RateLimiter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.server.ResponseStatusException;

/**
 * The starter in a real Spring MVC application (embedded Tomcat, a random port): {@link SeedBehaviour}'s
 * cases, a concurrency slot held by an asynchronous controller ({@code DeferredResult}) until its
 * response completes, the RateLimiter bean and the meters.
 */
class TollgateStarterTest extends SeedBehaviour {

  static final Map<String, DeferredResult<String>> jobs = new ConcurrentHashMap<>();

  /** The application: this controller and the auto-configuration, nothing scanned (the other tests' apps stay theirs). */
  @SpringBootConfiguration
  @EnableAutoConfiguration
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

    @GetMapping("/lookup/{id}")
    String lookup(@PathVariable("id") String id) {
      if (id.startsWith("missing")) {
        throw new ResponseStatusException(HttpStatus.NOT_FOUND, id);
      }
      return "found " + id;
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
    use(new SpringApplication(Demo.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--tollgate.policy=classpath:tollgate-test.yaml", "--spring.main.banner-mode=off"));
  }

  @Test
  void theRateLimiterBeanAndTheMeters() throws Exception {
    send("GET", "/items/9", "X-Api-Key", "key-meters");
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
    await(() -> jobs.containsKey("one"), "job one");
    assertThat(send("GET", "/jobs", "X-Job", "two").statusCode()).as("the slot is held").isEqualTo(429);
    jobs.remove("one").setResult("done");
    assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("done");
    // Tomcat tells the filter's AsyncListener just after the response went out: the client may see it first
    awaitJobsSlotFree();
    CompletableFuture<HttpResponse<String>> third = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/jobs"))
        .header("X-Job", "three").build(), HttpResponse.BodyHandlers.ofString());
    await(() -> jobs.containsKey("three") || third.isDone(), "job three");
    assertThat(jobs).as("the slot came back when the response completed").containsKey("three");
    jobs.remove("three").setResult("done");
    assertThat(third.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aClientThatWentAwayGivesItsSlotBackWhenTheApplicationAnswers() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", URI.create(base).getPort())) {
      s.getOutputStream().write("GET /jobs HTTP/1.1\r\nHost: t\r\nX-Job: gone\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      await(() -> jobs.containsKey("gone"), "job gone");
    }
    // Tomcat does not watch an idle asynchronous request's connection: it learns that the client went
    // away when the application answers (or the async timeout passes), and the slot comes back then
    jobs.remove("gone").setResult("too late");
    awaitJobsSlotFree();
  }

  private void awaitJobsSlotFree() {
    RateLimiter limiter = app.getBean(RateLimiter.class);
    await(() -> limiter.status(io.tollgate.core.RequestInfo.builder().path("/jobs").build()).stream()
        .anyMatch(st -> st.name().equals("jobs") && st.remaining() == 1), "the slot back");
  }
}
