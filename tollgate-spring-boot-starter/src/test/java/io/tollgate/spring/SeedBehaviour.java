package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a Spring Boot application with the starter and {@code tollgate-test.yaml} does over HTTP,
 * whatever its web stack: the seeds' behaviours that make sense in-process. A subclass starts one
 * application for its class ({@link RunningApp}), with controllers at {@code /items/{id}}
 * (GET with an ETag "v1" and 304 for {@code If-None-Match: "v1"}, POST), {@code /export} and
 * {@code /lookup/{id}} (a 404 ResponseStatusException for ids starting with "missing"), and adds
 * what is its own. Each test keeps to keys of its own.
 */
public abstract class SeedBehaviour extends RunningApp {

  @Test
  void aTenantsKeysShareOneBudgetAndNotModifiedIsNotCounted() throws Exception {
    List<String> seen = new ArrayList<>();
    for (String key : new String[] {"key-a1", "key-a2", "key-a1", "key-a2", "key-a1"}) {
      HttpResponse<String> r = send("GET", "/items/1", "X-Api-Key", key);
      seen.add(r.statusCode() + ":" + r.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
    }
    assertThat(seen).as("acme's two keys, one budget of 4").containsExactly("200:3", "200:2", "200:1", "200:0", "429:0");
    HttpResponse<String> refused = send("GET", "/items/1", "X-Api-Key", "key-a2");
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("json"));
    assertThat(refused.body()).contains("RATE_LIMIT_EXCEEDED");
    assertThat(send("GET", "/items/1", "X-Api-Key", "key-g1").statusCode()).as("another tenant").isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(send("GET", "/items/1", "X-Api-Key", "key-g1", "If-None-Match", "\"v1\"").statusCode()).isEqualTo(304);
    }
    // a unit comes back when the response is complete: on Redis a moment after the client has it
    await(() -> call("GET", "/ratelimits", "X-Api-Key", "key-g1").body().contains("\"remaining\":3"), "the 304s' units");
    assertThat(send("GET", "/items/1", "X-Api-Key", "key-g1").headers().firstValue("X-RateLimit-Remaining"))
        .as("the 304s gave their units back").hasValue("2");
  }

  @Test
  void writesHaveALimitOfTheirOwnAndARefusalItsOwnStatus() throws Exception {
    assertThat(send("POST", "/items/7", "X-Api-Key", "nobody").statusCode()).isEqualTo(200);
    assertThat(send("POST", "/items/7", "X-Api-Key", "nobody").statusCode()).as("one write an hour").isEqualTo(429);
    assertThat(send("GET", "/items/7", "X-Api-Key", "nobody").statusCode()).as("reads go on").isEqualTo(200);
    assertThat(send("GET", "/export").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/export").statusCode()).isEqualTo(509);
  }

  @Test
  void aPathIsReadAsTheGatewayReadsItAndAnIdentitySentTwiceIsRefused() throws Exception {
    assertThat(send("GET", "/items/5", "X-Api-Key", "key-x").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/./items/5", "X-Api-Key", "key-x").headers().firstValue("X-RateLimit-Remaining"))
        .as("a dot segment is the same route").hasValue("2");
    HttpRequest twice = HttpRequest.newBuilder(URI.create(base + "/items/5")).header("X-Api-Key", "key-a1")
        .header("X-Api-Key", "key-g1").build();
    HttpResponse<String> r = http.send(twice, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).containsIgnoringCase("header X-Api-Key was sent twice with different values");
  }

  @Test
  void anErrorResponsesStatusSettlesTheDecision() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(send("GET", "/lookup/missing-" + i).statusCode()).isEqualTo(404);
    }
    java.util.regex.Pattern untouched = java.util.regex.Pattern.compile("\"name\":\"lookups\"[^}]*\"remaining\":2[,}]");
    await(() -> untouched.matcher(call("GET", "/ratelimits").body()).find(), "the 404s' units");
    assertThat(send("GET", "/lookup/a").statusCode()).as("the 404s gave their units back").isEqualTo(200);
    assertThat(send("GET", "/lookup/b").statusCode()).isEqualTo(200);
    assertThat(send("GET", "/lookup/c").statusCode()).isEqualTo(429);
  }

  @Test
  void theStatusEndpointShowsTheCallersOwnCounters() throws Exception {
    send("GET", "/items/9", "X-Api-Key", "key-solo");
    HttpResponse<String> view = send("GET", "/ratelimits", "X-Api-Key", "key-solo");
    assertThat(view.statusCode()).isEqualTo(200);
    assertThat(view.body()).contains("\"name\":\"per-tenant\"").contains("\"remaining\":3");
    assertThat(send("GET", "/ratelimits?format=xml", "X-Api-Key", "key-solo").body()).startsWith("<");
  }
}
