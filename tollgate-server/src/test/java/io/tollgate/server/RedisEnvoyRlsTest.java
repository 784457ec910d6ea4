package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt64Value;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc.RateLimitServiceBlockingStub;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Tollgate nodes answering Envoy on one real Redis: one count across both, every rule kind on
 * Redis's counters (hits, reads, overrides, all-or-nothing, blocks, shadow), over gRPC and /json.
 * One Redis and two nodes for the class; each test on keys of its own.
 */
class RedisEnvoyRlsTest {

  @TempDir
  static Path dir;

  static RedisServer redis;
  static TollgateServer a;
  static TollgateServer b;
  static RateLimitServiceBlockingStub toA;
  static RateLimitServiceBlockingStub toB;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    Files.createDirectories(dir.resolve("ratelimit"));
    Files.writeString(dir.resolve("ratelimit/edge.yaml"), String.join("\n",
        "domain: edge",
        "descriptors:",
        "  - key: client",
        "    rate_limit: {unit: hour, requests_per_unit: 6, name: per-client}",
        "  - key: path",
        "    rate_limit: {unit: hour, requests_per_unit: 2}",
        "  - key: blocked",
        "    rate_limit: {unit: hour, requests_per_unit: 0}",
        "  - key: watch",
        "    shadow_mode: true",
        "    rate_limit: {unit: hour, requests_per_unit: 1}",
        "  - key: sliding",
        "    rate_limit: {unit: hour, requests_per_unit: 3, algorithm: sliding-window}",
        ""));
    String policy = "admin: {listen: off}\nreload: manual\nstore: " + redis.uri() + "\nredis: {timeout: 500ms, on-failure: "
        + "deny}\nenvoy-rls: {listen: 127.0.0.1:0, config: ratelimit}\n";
    Path pa = Files.writeString(dir.resolve("a.yaml"), policy);
    Path pb = Files.writeString(dir.resolve("b.yaml"), policy);
    a = TollgateServer.start(pa, PolicyLoader.load(pa), Clock.system());
    b = TollgateServer.start(pb, PolicyLoader.load(pb), Clock.system());
    toA = GrpcClients.newClient("http://127.0.0.1:" + a.rlsPort(), RateLimitServiceBlockingStub.class);
    toB = GrpcClients.newClient("http://127.0.0.1:" + b.rlsPort(), RateLimitServiceBlockingStub.class);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static RateLimitDescriptor d(String key, String value) {
    return RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(key).setValue(value))
        .build();
  }

  /** Asks node A for even {@code i}, node B for odd. */
  static String ask(int i, RateLimitDescriptor... ds) {
    RateLimitResponse r = (i % 2 == 0 ? toA : toB).shouldRateLimit(RateLimitRequest.newBuilder().setDomain("edge")
        .addAllDescriptors(List.of(ds)).build());
    StringBuilder s = new StringBuilder(r.getOverallCode().name());
    for (DescriptorStatus st : r.getStatusesList()) {
      s.append(' ').append(st.getCode().name()).append('/').append(st.getLimitRemaining());
    }
    return s.toString();
  }

  @Test
  void twoNodesCountOneLimitTogether() {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      seen.add(ask(i, d("client", "together")));
    }
    assertThat(seen).containsExactly("OK OK/5", "OK OK/4", "OK OK/3", "OK OK/2", "OK OK/1", "OK OK/0",
        "OVER_LIMIT OVER_LIMIT/0", "OVER_LIMIT OVER_LIMIT/0");
  }

  @Test
  void allOrNothingBlocksShadowAndReadsOnRedis() {
    assertThat(ask(0, d("path", "p1"))).isEqualTo("OK OK/1");
    assertThat(ask(1, d("path", "p1"))).isEqualTo("OK OK/0");
    assertThat(ask(0, d("client", "c1"), d("path", "p1"))).as("refused by path, nothing counted")
        .isEqualTo("OVER_LIMIT OK/6 OVER_LIMIT/0");
    assertThat(ask(1, d("client", "c1"))).isEqualTo("OK OK/5");
    assertThat(ask(0, d("blocked", "x"), d("client", "c1"))).isEqualTo("OVER_LIMIT OVER_LIMIT/0 OK/5");
    assertThat(ask(1, d("watch", "w"), d("client", "c1"))).isEqualTo("OK OK/0 OK/4");
    assertThat(ask(0, d("watch", "w"), d("client", "c1"))).as("the shadow rule over, the request allowed")
        .isEqualTo("OK OK/0 OK/3");
    RateLimitDescriptor read = d("client", "c1").toBuilder().setHitsAddend(UInt64Value.of(0)).build();
    assertThat(ask(1, read)).isEqualTo("OK OK/3");
    assertThat(ask(0, read)).as("a read counts nothing").isEqualTo("OK OK/3");
  }

  @Test
  void overridesAndTollgatesAlgorithmsOnRedis() {
    RateLimitDescriptor override = d("client", "o1").toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride
        .newBuilder().setRequestsPerUnit(2).setUnit(RateLimitUnit.HOUR)).build();
    assertThat(ask(0, override)).isEqualTo("OK OK/1");
    assertThat(ask(1, override)).isEqualTo("OK OK/0");
    assertThat(ask(0, override)).isEqualTo("OVER_LIMIT OVER_LIMIT/0");
    assertThat(ask(1, d("client", "o1"))).as("the rule's own counter, held to its own 6").isEqualTo("OK OK/3");
    for (int i = 0; i < 3; i++) {
      ask(i, d("sliding", "s1"));
    }
    assertThat(ask(1, d("sliding", "s1"))).isEqualTo("OVER_LIMIT OVER_LIMIT/0");
  }

  @Test
  void theJsonDoorOnRedis() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String body = "{\"domain\":\"edge\",\"descriptors\":[{\"entries\":[{\"key\":\"path\",\"value\":\"json\"}]}]}";
    List<Integer> codes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int port = i % 2 == 0 ? a.rlsPort() : b.rlsPort();
      codes.add(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }
    assertThat(codes).containsExactly(200, 200, 429);
  }

  @Test
  void aRedisThatDoesNotAnswerFollowsOnFailureWithoutHangingEnvoy() throws Exception {
    int nobody;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      nobody = s.getLocalPort(); // closed again: nothing listens there
    }
    for (String onFailure : new String[] {"deny", "allow", "local"}) {
      Path p = Files.writeString(dir.resolve("dead-" + onFailure + ".yaml"), "admin: {listen: off}\nreload: manual\n"
          + "store: redis://127.0.0.1:" + nobody + "\nredis: {timeout: 100ms, on-failure: " + onFailure + "}\n"
          + "envoy-rls: {listen: 127.0.0.1:0, config: ratelimit}\n");
      try (TollgateServer dead = TollgateServer.start(p, PolicyLoader.load(p), Clock.system())) {
        RateLimitServiceBlockingStub rls = GrpcClients.builder("http://127.0.0.1:" + dead.rlsPort())
            .responseTimeout(java.time.Duration.ofSeconds(2)).build(RateLimitServiceBlockingStub.class);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          seen.add(rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("edge").addDescriptors(d("path", "dead"))
              .build()).getOverallCode().name());
        }
        assertThat(seen).as(onFailure).containsExactly(onFailure.equals("deny") ? new String[] {"OVER_LIMIT",
            "OVER_LIMIT", "OVER_LIMIT"} : onFailure.equals("allow") ? new String[] {"OK", "OK", "OK"}
            : new String[] {"OK", "OK", "OVER_LIMIT"});
      }
    }
  }
}
