package io.tollgate.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc.RateLimitServiceBlockingStub;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same requests to envoyproxy/ratelimit (the reference, on Redis) and to Tollgate, on the
 * reference's own configuration files (its integration tests' and its README's examples), the same
 * answers: overall code, and per descriptor the code, current limit, remaining and reset (within the
 * second each rounds to). Where Tollgate differs on purpose (all-or-nothing; the rule's name in
 * current_limit, which the vendored April 2023 reference does not send yet), the test says how.
 */
class ReferenceParityTest {

  static final String[] FIXTURES = {"basic.yaml", "another.yaml", "mongo_cps.yaml", "rl.yaml", "readme-example2.yaml",
      "readme-example3.yaml", "readme-example4.yaml", "readme-example5.yaml", "readme-example6.yaml",
      "readme-example7.yaml", "readme-example8.yaml", "readme-example9.yaml"};

  @TempDir
  static Path dir;

  static Reference reference;
  static RlsServer tollgate;
  static RateLimitServiceBlockingStub ref;
  static RateLimitServiceBlockingStub tg;

  @BeforeAll
  static void start() throws Exception {
    Reference.binary();
    Path config = Files.createDirectories(dir.resolve("config"));
    for (String f : FIXTURES) {
      try (InputStream in = ReferenceParityTest.class.getResourceAsStream("/reference/" + f)) {
        Files.copy(in, config.resolve(f));
      }
    }
    reference = Reference.start(config, dir);
    Path policy = Files.writeString(dir.resolve("policy.yaml"),
        "admin: {listen: off}\nenvoy-rls: {listen: 127.0.0.1:0, config: config}\n");
    PolicyFile file = PolicyLoader.load(policy);
    RlsLimits limits = RlsLimits.of(file.rls(), List.of(), Set.of());
    tollgate = RlsServer.start(file.settings(), limits, RateLimiter.builder(limits.policy()).build(), Clock.system());
    ref = GrpcClients.newClient("http://127.0.0.1:" + reference.grpcPort, RateLimitServiceBlockingStub.class);
    tg = GrpcClients.newClient("http://127.0.0.1:" + tollgate.port(), RateLimitServiceBlockingStub.class);
  }

  @AfterAll
  static void stop() throws Exception {
    if (tollgate != null) {
      tollgate.close();
    }
    if (reference != null) {
      reference.close();
    }
  }

  static RateLimitDescriptor d(String... keyValues) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    }
    return b.build();
  }

  static RateLimitRequest req(String domain, RateLimitDescriptor... ds) {
    return RateLimitRequest.newBuilder().setDomain(domain).addAllDescriptors(List.of(ds)).build();
  }

  static List<RateLimitRequest> times(int n, RateLimitRequest r) {
    List<RateLimitRequest> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(r);
    }
    return out;
  }

  /** One answer as compared: overall code; per descriptor code, limit (requests per unit), remaining. */
  static String text(RateLimitResponse r) {
    StringBuilder s = new StringBuilder(r.getOverallCode().name());
    for (DescriptorStatus st : r.getStatusesList()) {
      s.append(" | ").append(st.getCode().name());
      if (st.hasCurrentLimit()) {
        s.append(' ').append(st.getCurrentLimit().getRequestsPerUnit()).append('/').append(st.getCurrentLimit().getUnit());
      }
      s.append(" r=").append(Integer.toUnsignedLong(st.getLimitRemaining()));
    }
    return s.toString();
  }

  /** What both answered to each request of a scenario. */
  record Run(List<RateLimitResponse> reference, List<RateLimitResponse> tollgate) {
    List<String> referenceText() {
      return reference.stream().map(ReferenceParityTest::text).toList();
    }

    List<String> tollgateText() {
      return tollgate.stream().map(ReferenceParityTest::text).toList();
    }
  }

  /**
   * Sends each request of {@code scenario} (given a fresh random value) to the reference, then to
   * Tollgate. The two count in the reference's windows, fixed on the wall clock: a scenario starts
   * early in a window of {@code windowSeconds}, and when a window's end still passes during it (the
   * two may then have counted a request in different windows), it runs again in the window after
   * the next, where neither has counted anything of it.
   */
  static Run run(long windowSeconds, Function<String, List<RateLimitRequest>> scenario) {
    long window = windowSeconds * 1000;
    if (System.currentTimeMillis() % window > window - 200) {
      awaitNextWindow(window); // too close to the end of this one
    }
    for (int attempt = 0; ; attempt++) {
      String value = "v" + ThreadLocalRandom.current().nextLong(1L << 40);
      List<RateLimitRequest> requests = scenario.apply(value);
      long before = System.currentTimeMillis() / window;
      List<RateLimitResponse> a = new ArrayList<>();
      List<RateLimitResponse> b = new ArrayList<>();
      for (RateLimitRequest r : requests) {
        a.add(ref.shouldRateLimit(r));
        b.add(tg.shouldRateLimit(r));
      }
      if (System.currentTimeMillis() / window == before || attempt == 4) {
        for (int i = 0; i < a.size(); i++) {
          for (int j = 0; j < a.get(i).getStatusesCount(); j++) {
            long x = a.get(i).getStatuses(j).getDurationUntilReset().getSeconds();
            long y = b.get(i).getStatuses(j).getDurationUntilReset().getSeconds();
            assertThat(Math.abs(x - y)).as("reset of request %d descriptor %d: %d s vs %d s", i, j, x, y)
                .isLessThanOrEqualTo(1);
          }
        }
        return new Run(a, b);
      }
      awaitNextWindow(window); // the window the crossing attempt counted in is not clean: the next one is
    }
  }

  /** Waits for the wall clock to reach the next multiple of {@code windowMillis} (and 20 ms more). */
  static void awaitNextWindow(long windowMillis) {
    long next = (System.currentTimeMillis() / windowMillis + 1) * windowMillis + 20;
    long left;
    while ((left = next - System.currentTimeMillis()) > 0) {
      java.util.concurrent.locks.LockSupport.parkNanos(left * 1_000_000);
    }
  }

  static void same(long windowSeconds, Function<String, List<RateLimitRequest>> scenario) {
    Run r = run(windowSeconds, scenario);
    assertThat(r.tollgateText()).isEqualTo(r.referenceText());
  }

  @Test
  void integrationTestBasics() {
    same(1, v -> List.of(req("foo", d("hello", "world")), req("basic", d("key1", v))));
    Run key2 = run(60, v -> times(25, req("another", d("key2", v))));
    assertThat(key2.referenceText().get(0)).isEqualTo("OK | OK 20/MINUTE r=19");
    assertThat(key2.referenceText().get(24)).isEqualTo("OVER_LIMIT | OVER_LIMIT 20/MINUTE r=0");
    assertThat(key2.tollgateText()).isEqualTo(key2.referenceText());
  }

  @Test
  void twoDescriptorsWhereTollgateCountsNothingOfARefusedRequest() {
    Run both = run(60, v -> times(15, req("another", d("key2", v), d("key3", v))));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      String a = both.referenceText().get(i);
      // the reference counts key2 even when key3 refuses the request; Tollgate counts neither: key2 stays at 10
      expected.add(i < 10 ? a : a.replace("OK 20/MINUTE r=" + (20 - (i + 1)), "OK 20/MINUTE r=10"));
    }
    assertThat(both.referenceText().get(14)).isEqualTo("OVER_LIMIT | OK 20/MINUTE r=5 | OVER_LIMIT 10/HOUR r=0");
    assertThat(both.tollgateText()).isEqualTo(expected);
  }

  @Test
  void hitsAddendAndALimitOverride() {
    same(60, v -> times(5, req("another", d("key2", v)).toBuilder().setHitsAddend(5).build()));
    RateLimitDescriptor override = d("key1", "x").toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder()
        .setRequestsPerUnit(3).setUnit(RateLimitUnit.MINUTE)).build();
    same(60, v -> times(4, req("basic", override.toBuilder().setEntries(0, override.getEntries(0).toBuilder()
        .setValue(v)).build())));
  }

  @Test
  void theExamplesConfiguration() {
    same(60, v -> times(3, req("rl", d("foo", v))));
    same(60, v -> List.of(req("rl", d("foo", v, "bar", "banned")), req("rl", d("foo", v, "bar", v)),
        req("rl", d("foo", v, "bar", v)), req("rl", d("foo", v, "bar", v)), req("rl", d("foo", v, "bar", v))));
    same(60, v -> times(3, req("rl", d("source_cluster", "proxy", "destination_cluster", "override"),
        d("foo", v, "bar", "banned"))));
    same(60, v -> times(3, req("rl", d("category", "account"), d("foo", v, "bar", "bkthomps"))));
    same(60, v -> times(5, req("rl", d("foo", v, "baz", "shady"))));
    same(60, v -> List.of(req("rl", d("foo", v, "bay", v)), req("rl", d("qux", v)), req("rl", d("unspec", v)),
        req("rl", d("unspec", v)), req("rl", d("unspec", v))));
    same(1, v -> times(3, req("mongo_cps", d("database", "users"), d("database", "nope"))));
  }

  @Test
  void theReadmeExamples() {
    same(86400, v -> times(6, req("messaging", d("message_type", "marketing", "to_number", v))));
    same(86400, v -> times(2, req("messaging", d("to_number", v))));
    same(1, v -> times(11, req("edge_proxy_per_ip", d("remote_address", v))));
    same(1, v -> times(2, req("edge_proxy_per_ip", d("remote_address", "50.0.0.5"))));
    same(1, v -> List.of(req("example4", d("key", "value", "subkey", v)), req("example4", d("key", "value"))));
    same(60, v -> List.of(req("internal", d("ldap", v)), req("internal", d("azure", v)), req("internal", d("azure", v))));
    same(1, v -> times(12, req("example6", d("service", "auth-service", "user", "user-a"))));
    same(1, v -> times(21, req("example6", d("service", v, "user", "user-b"))));
    same(1, v -> times(11, req("example7", d("key_1", "value_1", "user", "bkthomps"),
        d("key_2", "value_2", "user", "bkthomps"))));
    same(1, v -> times(6, req("example7", d("key_1", "value_1", "user", "bkthomps"))));
    same(60, v -> List.of(req("example8", d("key1", v)), req("example8", d("key1", "value1")),
        req("example9", d("key1", "value" + v)), req("example9", d("key1", "other" + v))));
  }

  @Test
  void tollgateNamesTheRuleWhereTheVendoredReferenceSendsNoName() {
    Run named = run(60, v -> List.of(req("example7", d("key_1", "value_1", "user", "bkthomps"))));
    assertThat(named.reference().get(0).getStatuses(0).getCurrentLimit().getName()).isEmpty();
    assertThat(named.tollgate().get(0).getStatuses(0).getCurrentLimit().getName()).isEqualTo("specific_limit");
  }
}
