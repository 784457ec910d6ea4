package io.tollgate.gateway.seeds;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SalesTim (seeds/002): 429 with Retry-After and the IETF fields, writes before reads, 10 concurrent jobs. */
class SalesTimTest {

  private final CountDownLatch jobsMayFinish = new CountDownLatch(1);
  private SeedHarness salestim;

  @BeforeEach
  void start() throws Exception {
    salestim = SeedHarness.serve("salestim", "SALESTIM_UPSTREAM", exchange -> {
      if (exchange.getRequestURI().getPath().startsWith("/api/v1/jobs")) {
        try {
          jobsMayFinish.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      SeedHarness.respond(exchange, 200, "{}");
    });
  }

  @AfterEach
  void stop() {
    jobsMayFinish.countDown();
    salestim.close();
  }

  @Test
  void writesAreThrottledWhileReadsArePermittedWithTheDocumentedBody() throws Exception {
    for (int i = 0; i < 300; i++) {
      assertThat(salestim.post("/api/v1/catalog/items").statusCode()).isEqualTo(200);
    }
    HttpResponse<String> refused = salestim.post("/api/v1/catalog/items");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("\"catalog\";q=1000;w=900, \"writes\";q=300;w=900");
    assertThat(refused.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"writes\";r=0;t=");
    assertThat(refused.body()).isEqualTo("{\"message\":\"Too many requests, please try again later...\",\"body\":"
        + "{\"rateLimitExceeded\":{\"rateLimitWindow\":900000,\"ratelimitMax\":300}}}");
    HttpResponse<String> read = salestim.get("/api/v1/catalog/items");
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("X-RateLimit-Remaining")).hasValue("699");
  }

  @Test
  void atMostTenConcurrentJobsAndSlotsComeBackWhenJobsFinish() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      running.add(salestim.http.sendAsync(salestim.request("/api/v1/jobs").header("X-App-Id", "app-1")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()));
    }
    while (salestim.upstreamHits.get() < 10) {
      Thread.onSpinWait();
    }
    HttpResponse<String> eleventh = salestim.send(salestim.request("/api/v1/jobs").header("X-App-Id", "app-1")
        .POST(HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(eleventh.statusCode()).isEqualTo(429);
    assertThat(eleventh.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(eleventh.headers().firstValue("RateLimit").orElseThrow()).startsWith("\"concurrent-jobs\";r=0");
    jobsMayFinish.countDown();
    for (CompletableFuture<HttpResponse<String>> job : running) {
      assertThat(job.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    int status = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (status != 200 && System.nanoTime() < deadline) { // slots return as each job's response completes
      status = salestim.send(salestim.request("/api/v1/jobs").header("X-App-Id", "app-1")
          .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode();
    }
    assertThat(status).isEqualTo(200);
  }
}
