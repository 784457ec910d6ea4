package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/** Two instances of one Spring Boot application on one real Redis (tollgate.store) count one limit. */
class TollgateRedisTest {

  static ConfigurableApplicationContext start(RedisServer redis) {
    return new SpringApplication(TollgateStarterTest.Demo.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--tollgate.policy=classpath:tollgate-test.yaml", "--tollgate.store=" + redis.uri(),
        "--spring.main.banner-mode=off");
  }

  @Test
  void twoInstancesOnOneRedisCountTogether() throws Exception {
    try (RedisServer redis = RedisServer.start(); ConfigurableApplicationContext a = start(redis);
        ConfigurableApplicationContext b = start(redis)) {
      HttpClient http = HttpClient.newHttpClient();
      List<String> seen = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ConfigurableApplicationContext app = i % 2 == 0 ? a : b;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + app.getEnvironment().getProperty("local.server.port") + "/items/1")).header("X-Api-Key", "key-a1").build(),
            HttpResponse.BodyHandlers.ofString());
        seen.add(r.statusCode() + ":" + r.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
      }
      assertThat(seen).as("acme's budget of 4, across both instances")
          .containsExactly("200:3", "200:2", "200:1", "200:0", "429:0", "429:0");
      assertThat(a.getBean(TollgatePolicy.class).store()).isInstanceOf(io.tollgate.redis.RedisStore.class);
    }
  }
}
