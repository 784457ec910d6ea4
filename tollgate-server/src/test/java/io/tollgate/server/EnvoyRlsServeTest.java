package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc.RateLimitServiceBlockingStub;
import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tollgate serve} with an {@code envoy-rls:} block: Envoy's Rate Limit Service beside the
 * gateway, on the process's store and metrics; its configuration directory reloaded like the policy
 * (counts carried over, a bad file changing nothing), by the watch too.
 */
class EnvoyRlsServeTest {

  @TempDir
  Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private TollgateServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Path write(Path file, String body) throws Exception {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp"); // a dot file: not read meanwhile
    Files.writeString(tmp, body);
    return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String perClient(int limit) {
    return "domain: edge\ndescriptors:\n  - key: client\n    rate_limit: {unit: hour, requests_per_unit: " + limit
        + ", name: per-client}\n";
  }

  private Path policy(String reload) throws Exception {
    Files.createDirectories(dir.resolve("ratelimit"));
    write(dir.resolve("ratelimit/edge.yaml"), perClient(5));
    return write(dir.resolve("p.yaml"), "listen: 127.0.0.1:0\nupstream: echo\nadmin: {listen: 127.0.0.1:0}\nreload: "
        + reload + "\nenvoy-rls: {listen: 127.0.0.1:0, config: ratelimit}\n"
        + "limits:\n  - {name: per-ip, key: [client-ip], limit: 100, window: 1h}\n");
  }

  private RateLimitResponse ask(String client) {
    RateLimitServiceBlockingStub rls = GrpcClients.newClient("http://127.0.0.1:" + server.rlsPort(),
        RateLimitServiceBlockingStub.class);
    return rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("edge").addDescriptors(RateLimitDescriptor
        .newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("client").setValue(client))).build());
  }

  private String remaining(String client) {
    RateLimitResponse r = ask(client);
    return r.getStatuses(0).getCurrentLimit().getRequestsPerUnit() + ":" + r.getStatuses(0).getLimitRemaining();
  }

  @Test
  void besideTheGatewayOnTheSameStoreAndMetrics() throws Exception {
    Path p = policy("manual");
    server = TollgateServer.start(p, PolicyLoader.load(p), Clock.system());
    assertThat(server.describe()).contains("Envoy rate limit service on http://127.0.0.1:" + server.rlsPort())
        .contains("1 Envoy domains, 1 rules");
    assertThat(remaining("a")).isEqualTo("5:4");
    assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/x")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode()).as("the gateway beside it").isEqualTo(200);
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort()
        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("tollgate_limit_decisions_total{limit=\"per-client\",outcome=\"allowed\"} 1.0")
        .contains("tollgate_limit_decisions_total{limit=\"per-ip\",outcome=\"allowed\"} 1.0");
  }

  @Test
  void theConfigurationReloadsWithItsCountsAndABadFileChangesNothing() throws Exception {
    Path p = policy("manual");
    server = TollgateServer.start(p, PolicyLoader.load(p), Clock.system());
    assertThat(remaining("a")).isEqualTo("5:4");
    assertThat(server.reload().result()).as("nothing changed").isEqualTo(Reload.Result.UNCHANGED);
    write(dir.resolve("ratelimit/edge.yaml"), perClient(8));
    Reload r = server.reload();
    assertThat(r.result()).isEqualTo(Reload.Result.RELOADED);
    assertThat(remaining("a")).as("the new number, the count kept").isEqualTo("8:6");
    write(dir.resolve("ratelimit/more.yaml"), "domain: other\ndescriptors:\n  - key: k\n    rate_limit: {requests_per_unit: 5}\n");
    Reload bad = server.reload();
    assertThat(bad.result()).isEqualTo(Reload.Result.REJECTED);
    assertThat(bad.errors()).extracting(PolicyError::toString).containsExactly(dir.resolve("ratelimit/more.yaml")
        + ":4:17: a rate_limit needs a unit (second, minute, hour, day, week, month or year), or unlimited: true");
    assertThat(remaining("a")).as("the configuration in effect stays").isEqualTo("8:5");
    Files.delete(dir.resolve("ratelimit/more.yaml"));
    write(dir.resolve("p.yaml"), Files.readString(p).replace("listen: 127.0.0.1:0, config", "listen: 127.0.0.1:1, config"));
    Reload moved = server.reload();
    assertThat(moved.restartNeeded()).as("a port waits for a restart").containsExactly("envoy-rls.listen");
  }

  @Test
  void theWatchReloadsWhenAFileOfTheDirectoryChanges() throws Exception {
    Path p = policy("watch");
    server = TollgateServer.start(p, PolicyLoader.load(p), Clock.system());
    assertThat(remaining("w")).isEqualTo("5:4");
    write(dir.resolve("ratelimit/edge.yaml"), perClient(9));
    String seen = Await.until("the reload of the Envoy configuration", () -> remaining("w"), s -> s.startsWith("9:"));
    assertThat(Integer.parseInt(seen.substring(2))).isLessThan(9);
  }

  @Test
  void aBadConfigurationStopsTheStartAtItsLine() throws Exception {
    Path p = policy("manual");
    write(dir.resolve("ratelimit/edge.yaml"), "domain: edge\ndescriptors:\n  - key: client\n    rate_limit: {unit: "
        + "fortnight, requests_per_unit: 1}\n");
    assertThatThrownBy(() -> PolicyLoader.load(p)).isInstanceOfSatisfying(PolicyException.class, e ->
        assertThat(e.errors()).extracting(PolicyError::toString).containsExactly(dir.resolve("ratelimit/edge.yaml")
            + ":4:24: invalid rate limit unit 'fortnight' (second, minute, hour, day, week, month or year)"));
  }

  @Test
  void grpcOverTlsWhenTheFileHasTls() throws Exception {
    SelfSigned certificate = SelfSigned.make(dir.resolve("certs"));
    Files.createDirectories(dir.resolve("ratelimit"));
    write(dir.resolve("ratelimit/edge.yaml"), perClient(5));
    Path p = write(dir.resolve("p.yaml"), "admin: {listen: off}\nreload: manual\n"
        + "tls: {cert: certs/tollgate.pem, key: certs/tollgate.key}\nenvoy-rls: {listen: 127.0.0.1:0, config: ratelimit}\n");
    server = TollgateServer.start(p, PolicyLoader.load(p), Clock.system());
    assertThat(server.describe()).contains("Envoy rate limit service on https://127.0.0.1:");
    try (com.linecorp.armeria.client.ClientFactory trusting = com.linecorp.armeria.client.ClientFactory.builder()
        .tlsCustomizer(b -> b.trustManager(certificate.cert.toFile())).build()) {
      RateLimitServiceBlockingStub rls = GrpcClients.builder("https://127.0.0.1:" + server.rlsPort()).factory(trusting)
          .build(RateLimitServiceBlockingStub.class);
      RateLimitResponse r = rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("edge").addDescriptors(
          RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("client")
              .setValue("tls"))).build());
      assertThat(r.getStatuses(0).getLimitRemaining()).isEqualTo(4);
    }
    HttpResponse<String> plain = HttpClient.newBuilder().sslContext(certificate.trusting).build().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.rlsPort()
        + "/healthcheck")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(200);
  }

  @Test
  void theEnvoyExampleAnswersTheDescriptorsItsEnvoyConfigurationSends() throws Exception {
    Path example = Path.of("..", "examples", "envoy");
    Files.createDirectories(dir.resolve("ratelimit"));
    Files.copy(example.resolve("ratelimit/edge.yaml"), dir.resolve("ratelimit/edge.yaml"));
    String text = Files.readString(example.resolve("tollgate.yaml")).replace("listen: 8081", "listen: 127.0.0.1:0")
        .replace("http-listen: 8080", "http-listen: 127.0.0.1:0").replace("listen: 127.0.0.1:9901", "listen: off");
    Path p = write(dir.resolve("tollgate.yaml"), text);
    server = TollgateServer.start(p, PolicyLoader.load(p), Clock.system());
    RateLimitServiceBlockingStub rls = GrpcClients.newClient("http://127.0.0.1:" + server.rlsPort(),
        RateLimitServiceBlockingStub.class);
    java.util.function.Function<List<RateLimitDescriptor>, String> ask = ds -> {
      RateLimitResponse r = rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("edge").addAllDescriptors(ds)
          .build());
      StringBuilder out = new StringBuilder(r.getOverallCode().name());
      r.getStatusesList().forEach(st -> out.append(' ').append(st.getCurrentLimit().getRequestsPerUnit()).append(':')
          .append(st.getLimitRemaining()));
      return out.toString();
    };
    // what envoy.yaml's rate_limits send for a GET and a POST from 198.51.100.7 with X-Api-Key: k1
    List<RateLimitDescriptor> get = List.of(entries("remote_address", "198.51.100.7"), entries("api_key", "k1"));
    List<RateLimitDescriptor> post = List.of(entries("remote_address", "198.51.100.7"), entries("api_key", "k1"),
        entries("generic_key", "writes", "api_key", "k1"));
    assertThat(ask.apply(get)).isEqualTo("OK 100:99 1000:999");
    for (int i = 0; i < 5; i++) {
      assertThat(ask.apply(post)).startsWith("OK ");
    }
    assertThat(ask.apply(post)).as("writes: a burst of 5, and nothing else counted")
        .isEqualTo("OVER_LIMIT 100:94 1000:994 20:0");
    assertThat(ask.apply(List.of(entries("api_key", "partner-acme")))).isEqualTo("OK 10000:9999");
    assertThat(ask.apply(List.of(entries("remote_address", "203.0.113.66")))).isEqualTo("OVER_LIMIT 0:0");
  }

  private static RateLimitDescriptor entries(String... keyValues) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    }
    return b.build();
  }
}
