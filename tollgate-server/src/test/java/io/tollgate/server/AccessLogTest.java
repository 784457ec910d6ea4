package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log: one JSON line per request, in a file named relative to the policy; a reload moves it. */
class AccessLogTest {

  private static final String POLICY = "listen: 127.0.0.1:0\nadmin: {listen: off}\nupstream: echo\nreload: manual\n"
      + "access-log: logs/access.log\nroutes:\n  - {name: items, match: [/items/**]}\n"
      + "limits:\n  - {name: per-ip, key: [client-ip], limit: 2, window: 1h}\n";

  @TempDir
  Path dir;

  private static List<String> lines(Path file, int count) {
    return Await.until(count + " lines in " + file, () -> {
      try {
        return Files.exists(file) ? Files.readAllLines(file) : List.<String>of();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }, lines -> lines.size() >= count);
  }

  @Test
  void oneJsonLinePerRequestWithItsDecision() throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), POLICY);
    HttpClient http = HttpClient.newHttpClient();
    try (TollgateServer server = TollgateServer.start(file, PolicyLoader.load(file), Clock.system())) {
      for (int i = 0; i < 3; i++) {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/items/" + i)).build(),
            HttpResponse.BodyHandlers.discarding());
      }
      ObjectMapper json = new ObjectMapper();
      List<String> lines = lines(dir.resolve("logs/access.log"), 3);
      JsonNode first = json.readTree(lines.get(0));
      assertThat(first.fieldNames()).toIterable().containsExactly("time", "client_ip", "method", "path", "status",
          "route", "decision", "limit", "remaining", "duration_ms", "upstream_ms");
      assertThat(first.get("client_ip").asText()).isEqualTo("127.0.0.1");
      assertThat(first.get("method").asText()).isEqualTo("GET");
      assertThat(first.get("path").asText()).isEqualTo("/items/0");
      assertThat(first.get("status").asInt()).isEqualTo(200);
      assertThat(first.get("route").asText()).isEqualTo("items");
      assertThat(first.get("decision").asText()).isEqualTo("allowed");
      assertThat(first.get("limit").asText()).isEqualTo("per-ip");
      assertThat(first.get("remaining").asLong()).isEqualTo(1);
      assertThat(first.get("upstream_ms").asDouble()).isGreaterThanOrEqualTo(0);
      JsonNode refused = json.readTree(lines.get(2));
      assertThat(refused.get("status").asInt()).isEqualTo(429);
      assertThat(refused.get("decision").asText()).isEqualTo("refused");
      assertThat(refused.get("remaining").asLong()).isZero();
      assertThat(refused.get("upstream_ms").isNull()).isTrue();

      Files.writeString(file, POLICY.replace("logs/access.log", "logs/next.log"));
      assertThat(server.reload().result()).isEqualTo(Reload.Result.RELOADED);
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/other")).build(),
          HttpResponse.BodyHandlers.discarding());
      assertThat(json.readTree(lines(dir.resolve("logs/next.log"), 1).get(0)).get("route").asText()).isEqualTo("default");
    }
    assertThat(Files.readAllLines(dir.resolve("logs/access.log"))).hasSize(3);
  }
}
