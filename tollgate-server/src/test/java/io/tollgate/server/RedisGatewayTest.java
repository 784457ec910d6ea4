package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import io.tollgate.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two gateway processes on one Redis enforce one limit together, and so do a gateway and another node's check endpoint. */
class RedisGatewayTest {

  @Test
  void twoGatewaysShareOneLimit(@TempDir Path one, @TempDir Path two) throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      String policy = "upstream: echo\nstore: " + redis.uri() + "\nredis: {timeout: 500ms, on-failure: deny}\n"
          + "status-endpoint: /ratelimits\n"
          + "limits:\n  - {name: per-ip, key: [client-ip], limit: 10, window: 1h}\n";
      try (ServeProcess a = ServeProcess.start(one, policy); ServeProcess b = ServeProcess.start(two, policy)) {
        assertThat(a.startLine).endsWith("store " + redis.uri() + " (timeout 500ms, on-failure deny, clock redis)");
        HttpClient http = HttpClient.newHttpClient();
        List<String> seen = new ArrayList<>();
        int allowed = 0;
        for (int i = 0; i < 16; i++) {
          int port = (i % 2 == 0 ? a : b).port; // alternate between the nodes
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
              HttpResponse.BodyHandlers.ofString());
          seen.add(r.statusCode() + ":" + r.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
          if (r.statusCode() == 200) {
            allowed++;
          }
        }
        assertThat(allowed).as(seen.toString()).isEqualTo(10);
        assertThat(seen.subList(0, 11)).as("one count across both nodes").containsExactly(
            "200:9", "200:8", "200:7", "200:6", "200:5", "200:4", "200:3", "200:2", "200:1", "200:0", "429:0");
        HttpResponse<String> view = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port + "/ratelimits"))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(view.body()).as("either node's status view reads the shared counter").contains("\"remaining\":0");
      }
    }
  }

  @Test
  void aGatewayAndAnotherNodesCheckEndpointShareOneLimit(@TempDir Path one, @TempDir Path two) throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      // decideAsync, then with a ban (which takes the check's blocking path on Redis): a limit each
      for (String ban : new String[] {"", "ban: {key: [client-ip], after: 100, within: 1m, for: 1h}\n"}) {
        String limit = ban.isEmpty() ? "per-ip" : "per-ip-banned";
        String common = "store: " + redis.uri() + "\nredis: {timeout: 500ms, on-failure: deny}\nadmin: {listen: off}\n"
            + "listen: 127.0.0.1:0\nreload: manual\nlimits:\n  - {name: " + limit + ", key: [client-ip], limit: 4, "
            + "window: 1h}\n" + ban;
        Path a = Files.writeString(one.resolve(limit + ".yaml"), "upstream: echo\n" + common);
        Path b = Files.writeString(two.resolve(limit + ".yaml"), "check: {listen: 127.0.0.1:0}\n" + common);
        try (TollgateServer gateway = TollgateServer.start(a, PolicyLoader.load(a), Clock.system());
            TollgateServer check = TollgateServer.start(b, PolicyLoader.load(b), Clock.system())) {
          HttpClient http = HttpClient.newHttpClient();
          List<Integer> seen = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            int port = i % 2 == 0 ? gateway.port() : check.checkPort();
            seen.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
          }
          assertThat(seen).as("one count across the gateway and the other node's check (" + limit + ")")
              .containsExactly(200, 200, 200, 200, 429, 429);
        }
      }
    }
  }

  @Test
  void aGatewayStartsWhileRedisIsDownDecidesLocallyThenFromRedisOnceItAnswers(@TempDir Path dir) throws Exception {
    try (RedisServer redis = RedisServer.notStartedYet()) {
      String policy = "upstream: echo\nstore: " + redis.uri() + "\nredis: {timeout: 200ms, on-failure: local}\n"
          + "limits:\n  - {name: per-ip, key: [client-ip], limit: 10, window: 1h}\n";
      try (ServeProcess gateway = ServeProcess.start(dir, policy)) {
        assertThat(gateway.before).contains("WARN  tollgate.redis: Redis at " + redis.uri() + " does not answer (")
            .contains("): starting anyway, deciding by on-failure local until it does");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port + "/x")).build();
        for (int i = 9; i >= 7; i--) { // this node's memory store decides
          HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue(Integer.toString(i));
        }
        redis.restart();
        assertThat(gateway.next("tollgate.redis: Redis at"))
            .isEqualTo("tollgate.redis: Redis at " + redis.uri() + " answers: decisions come from it now");
        HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("X-RateLimit-Remaining")).as("a fresh count, in Redis").hasValue("9");
        assertThat(redis.command("DBSIZE")).isEqualTo(":1");
      }
    }
  }
}
