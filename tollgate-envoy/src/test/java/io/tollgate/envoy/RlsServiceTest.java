package io.tollgate.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt64Value;
import com.linecorp.armeria.client.grpc.GrpcClients;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.FakeClock;
import io.tollgate.core.RateLimiter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Envoy's Rate Limit Service over real gRPC and HTTP on a socket: every kind of rule of
 * envoyproxy/ratelimit's configuration, hits_addend, limit overrides, all-or-nothing across
 * descriptors, the JSON door, the health checks. One server for the class; each test on its own keys.
 */
class RlsServiceTest {

  @TempDir
  static Path dir;

  static final FakeClock clock = FakeClock.atWholeDay();
  static RlsServer server;
  static RateLimitServiceGrpc.RateLimitServiceBlockingStub rls;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    Path config = Files.createDirectories(dir.resolve("ratelimit"));
    Files.writeString(config.resolve("api.yaml"), String.join("\n",
        "domain: api",
        "descriptors:",
        "  - key: key1",
        "    value: foo",
        "    rate_limit: {unit: second, requests_per_unit: 5}",
        "  - key: client",
        "    rate_limit: {unit: minute, requests_per_unit: 3, name: per-client}",
        "    descriptors:",
        "      - key: path",
        "        value: /upload*",
        "        rate_limit: {unit: hour, requests_per_unit: 2}",
        "  - key: blocked",
        "    rate_limit: {unit: hour, requests_per_unit: 0}",
        "  - key: free",
        "    rate_limit: {unlimited: true}",
        "  - key: watch",
        "    shadow_mode: true",
        "    rate_limit: {unit: minute, requests_per_unit: 1}",
        "  - key: tenant",
        "    value: gold",
        "    rate_limit: {unit: minute, requests_per_unit: 100, name: gold, replaces: [{name: per-client}]}",
        "  - key: bucket",
        "    rate_limit: {unit: minute, requests_per_unit: 60, algorithm: token-bucket, burst: 2}",
        "  - key: week",
        "    rate_limit: {unit: week, requests_per_unit: 1}",
        ""));
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "admin: {listen: off}\nenvoy-rls:\n"
        + "  listen: 127.0.0.1:0\n  http-listen: 127.0.0.1:0\n  config: ratelimit\n  headers: [x-ratelimit, retry-after]\n");
    PolicyFile file = PolicyLoader.load(policy);
    RlsLimits limits = RlsLimits.of(file.rls(), file.settings().envoyRls().headers(), Set.of());
    RateLimiter limiter = RateLimiter.builder(limits.policy()).clock(clock).build();
    server = RlsServer.start(file.settings(), limits, limiter, clock);
    rls = GrpcClients.newClient("http://127.0.0.1:" + server.port(), RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @BeforeEach
  void nextHour() {
    clock.advance(Duration.ofHours(1)); // every test in windows of its own
  }

  static RateLimitDescriptor d(String... keyValues) {
    RateLimitDescriptor.Builder b = RateLimitDescriptor.newBuilder();
    for (int i = 0; i < keyValues.length; i += 2) {
      b.addEntries(RateLimitDescriptor.Entry.newBuilder().setKey(keyValues[i]).setValue(keyValues[i + 1]));
    }
    return b.build();
  }

  static RateLimitResponse ask(RateLimitDescriptor... descriptors) {
    return rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("api").addAllDescriptors(List.of(descriptors)).build());
  }

  static String codes(RateLimitResponse r) {
    StringBuilder s = new StringBuilder(r.getOverallCode().name()).append(':');
    for (DescriptorStatus st : r.getStatusesList()) {
      s.append(' ').append(st.getCode().name()).append('/').append(st.getLimitRemaining());
    }
    return s.toString();
  }

  @Test
  void anExactRuleCountsInFixedWindowsWithItsLimitAndReset() {
    clock.advanceMillis(400);
    for (int i = 4; i >= 0; i--) {
      assertThat(codes(ask(d("key1", "foo")))).isEqualTo("OK: OK/" + i);
    }
    RateLimitResponse over = ask(d("key1", "foo"));
    assertThat(codes(over)).isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    DescriptorStatus st = over.getStatuses(0);
    assertThat(st.getCurrentLimit().getRequestsPerUnit()).isEqualTo(5);
    assertThat(st.getCurrentLimit().getUnit()).isEqualTo(RateLimitResponse.RateLimit.Unit.SECOND);
    assertThat(st.getCurrentLimit().getName()).as("a rule without a name").isEmpty();
    assertThat(st.getDurationUntilReset().getSeconds()).as("0.6 s left of the second, in whole seconds").isEqualTo(1);
    assertThat(over.getResponseHeadersToAddList()).extracting(h -> h.getKey() + ": " + h.getValue())
        .contains("X-RateLimit-Limit: 5", "X-RateLimit-Remaining: 0", "Retry-After: 1");
    clock.advanceMillis(600);
    assertThat(codes(ask(d("key1", "foo")))).as("the next second").isEqualTo("OK: OK/4");
    assertThat(codes(ask(d("key1", "bar")))).as("no rule for key1=bar").isEqualTo("OK: OK/0");
    assertThat(ask(d("key1", "bar")).getStatuses(0).hasCurrentLimit()).isFalse();
  }

  @Test
  void aKeyOnlyRuleCountsEachValueApartAndNestedRulesNeedTheirFullDepth() {
    for (int i = 0; i < 3; i++) {
      assertThat(ask(d("client", "a")).getOverallCode()).isEqualTo(Code.OK);
    }
    RateLimitResponse over = ask(d("client", "a"));
    assertThat(over.getOverallCode()).isEqualTo(Code.OVER_LIMIT);
    assertThat(over.getStatuses(0).getCurrentLimit().getName()).isEqualTo("per-client");
    assertThat(codes(ask(d("client", "b")))).as("another value, another counter").isEqualTo("OK: OK/2");
    // client -> path with a wildcard value: its own limit at depth 2
    assertThat(codes(ask(d("client", "c", "path", "/upload/1")))).isEqualTo("OK: OK/1");
    assertThat(codes(ask(d("client", "c", "path", "/upload/2")))).as("each value its own counter").isEqualTo("OK: OK/1");
    assertThat(codes(ask(d("client", "c", "path", "/upload/1")))).isEqualTo("OK: OK/0");
    assertThat(codes(ask(d("client", "c", "path", "/upload/1")))).isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    assertThat(codes(ask(d("client", "c", "path", "/other")))).as("no rule at depth 2 for /other").isEqualTo("OK: OK/0");
    assertThat(codes(ask(d("client", "c", "path", "/upload", "x", "y")))).as("deeper than any rule").isEqualTo("OK: OK/0");
  }

  @Test
  void unlimitedBlockedAndUnknown() {
    RateLimitResponse free = ask(d("free", "x"));
    assertThat(free.getStatuses(0).getLimitRemaining()).isEqualTo((int) 4294967295L);
    assertThat(free.getStatuses(0).hasCurrentLimit()).isFalse();
    RateLimitResponse blocked = ask(d("blocked", "x"), d("client", "blocked-too"));
    assertThat(codes(blocked)).as("a quota of 0 refuses, and the other descriptor is not counted")
        .isEqualTo("OVER_LIMIT: OVER_LIMIT/0 OK/3");
    assertThat(blocked.getStatuses(0).getCurrentLimit().getUnit()).isEqualTo(RateLimitResponse.RateLimit.Unit.HOUR);
    RateLimitResponse unknown = rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("nope")
        .addDescriptors(d("key1", "foo")).build());
    assertThat(codes(unknown)).isEqualTo("OK: OK/0");
  }

  @Test
  void shadowModeCountsAndNeverRefuses() {
    assertThat(codes(ask(d("watch", "x")))).isEqualTo("OK: OK/0");
    assertThat(codes(ask(d("watch", "x"), d("client", "shadowed")))).as("over, and OK").isEqualTo("OK: OK/0 OK/2");
  }

  @Test
  void aRuleThatReplacesAnotherTakesItsPlace() {
    for (int i = 0; i < 3; i++) {
      ask(d("client", "t1"));
    }
    assertThat(codes(ask(d("client", "t1")))).isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    RateLimitResponse gold = ask(d("client", "t1"), d("tenant", "gold"));
    assertThat(codes(gold)).as("per-client replaced by gold: not applied").isEqualTo("OK: OK/0 OK/99");
    assertThat(gold.getStatuses(0).hasCurrentLimit()).isFalse();
  }

  @Test
  void descriptorsAreDecidedAllOrNothing() {
    ask(d("client", "x"));
    ask(d("client", "x"));
    ask(d("client", "x"));
    assertThat(codes(ask(d("client", "y"), d("client", "x")))).isEqualTo("OVER_LIMIT: OK/3 OVER_LIMIT/0");
    assertThat(codes(ask(d("client", "y")))).as("nothing was counted for y").isEqualTo("OK: OK/2");
    assertThat(codes(ask(d("client", "z"), d("client", "z")))).as("one counter twice: two hits, one answer")
        .isEqualTo("OK: OK/1 OK/1");
  }

  @Test
  void hitsAddendPerRequestAndPerDescriptorWhereZeroReads() {
    RateLimitRequest three = RateLimitRequest.newBuilder().setDomain("api").setHitsAddend(3)
        .addDescriptors(d("client", "h")).build();
    assertThat(codes(rls.shouldRateLimit(three))).isEqualTo("OK: OK/0");
    RateLimitDescriptor read = d("client", "h").toBuilder().setHitsAddend(UInt64Value.of(0)).build();
    assertThat(codes(ask(read))).as("0 reads, and a read never refuses").isEqualTo("OK: OK/0");
    assertThat(codes(rls.shouldRateLimit(three.toBuilder().clearDescriptors().addDescriptors(d("client", "i")
        .toBuilder().setHitsAddend(UInt64Value.of(2)).build()).build()))).as("the descriptor's own overrides the request's")
        .isEqualTo("OK: OK/1");
    assertThat(codes(ask(read, d("client", "i")))).as("a read beside a counted descriptor").isEqualTo("OK: OK/0 OK/0");
  }

  @Test
  void aLimitOverrideHoldsTheCounterToItsNumbers() {
    RateLimitDescriptor fiveAMinute = d("client", "o").toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride
        .newBuilder().setRequestsPerUnit(5).setUnit(RateLimitUnit.MINUTE)).build();
    for (int i = 4; i >= 0; i--) {
      assertThat(codes(ask(fiveAMinute))).isEqualTo("OK: OK/" + i);
    }
    RateLimitResponse over = ask(fiveAMinute);
    assertThat(codes(over)).isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    assertThat(over.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(5);
    assertThat(over.getStatuses(0).getCurrentLimit().getName()).isEmpty();
    assertThat(codes(ask(d("client", "o")))).as("the rule's own counter (also per minute): 5 taken of 3")
        .isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    RateLimitDescriptor twoAnHour = d("nothing", "matches").toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride
        .newBuilder().setRequestsPerUnit(2).setUnit(RateLimitUnit.HOUR)).build();
    assertThat(codes(ask(twoAnHour))).as("an override needs no rule").isEqualTo("OK: OK/1");
    assertThat(codes(ask(twoAnHour))).isEqualTo("OK: OK/0");
    assertThat(codes(ask(twoAnHour))).isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    RateLimitDescriptor noUnit = d("client", "o").toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride
        .newBuilder().setRequestsPerUnit(2)).build();
    assertThatThrownBy(() -> ask(noUnit)).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void tollgatesOwnAlgorithmsAndUnitsAboveADay() {
    assertThat(codes(ask(d("bucket", "b")))).isEqualTo("OK: OK/1");
    assertThat(codes(ask(d("bucket", "b")))).isEqualTo("OK: OK/0");
    assertThat(codes(ask(d("bucket", "b")))).as("a burst of 2").isEqualTo("OVER_LIMIT: OVER_LIMIT/0");
    clock.advanceMillis(1000);
    assertThat(codes(ask(d("bucket", "b")))).as("one token a second").isEqualTo("OK: OK/0");
    RateLimitResponse week = ask(d("week", "w"));
    assertThat(week.getStatuses(0).getCurrentLimit().getUnit()).isEqualTo(RateLimitResponse.RateLimit.Unit.WEEK);
    long weekSeconds = 7 * 86400;
    assertThat(week.getStatuses(0).getDurationUntilReset().getSeconds())
        .as("weeks aligned to the epoch, as envoyproxy/ratelimit divides time")
        .isEqualTo(weekSeconds - Math.floorMod(clock.epochMillis() / 1000, weekSeconds));
  }

  @Test
  void anEmptyDomainOrNoDescriptorsIsInvalid() {
    assertThatThrownBy(() -> rls.shouldRateLimit(RateLimitRequest.newBuilder().addDescriptors(d("key1", "foo")).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("domain must not be empty");
        });
    assertThatThrownBy(() -> rls.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("api").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }

  @Test
  void theJsonDoorOnBothPortsAndTheHealthChecks() throws Exception {
    String body = "{\"domain\":\"api\",\"descriptors\":[{\"entries\":[{\"key\":\"client\",\"value\":\"json\"}]}]}";
    List<String> seen = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int port = i % 2 == 0 ? server.port() : server.httpPort();
      HttpResponse<String> r = post(port, body);
      seen.add(r.statusCode() + " " + r.body());
    }
    assertThat(seen.get(0)).startsWith("200 {\"overallCode\":\"OK\",\"statuses\":[{\"code\":\"OK\",\"currentLimit\":"
        + "{\"requestsPerUnit\":3,\"unit\":\"MINUTE\",\"name\":\"per-client\"},\"limitRemaining\":2,\"durationUntilReset\":\"60s\"}]");
    assertThat(seen.get(2)).as("at 0 remaining proto3 JSON leaves limitRemaining out")
        .startsWith("200 {\"overallCode\":\"OK\",\"statuses\":[{\"code\":\"OK\",\"currentLimit\":"
            + "{\"requestsPerUnit\":3,\"unit\":\"MINUTE\",\"name\":\"per-client\"},\"durationUntilReset\":\"60s\"}]");
    assertThat(seen.get(3)).startsWith("429 {\"overallCode\":\"OVER_LIMIT\"");
    assertThat(post(server.port(), "{\"domain\":\"api\",\"nope\":1}").statusCode()).isEqualTo(400);
    assertThat(post(server.port(), "not json").statusCode()).isEqualTo(400);
    assertThat(post(server.httpPort(), "{\"domain\":\"\",\"descriptors\":[]}").body()).contains("domain must not be empty");
    for (int port : new int[] {server.port(), server.httpPort()}) {
      HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
          + "/healthcheck")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode() + " " + health.body()).isEqualTo("200 OK");
    }
    HealthGrpc.HealthBlockingStub grpcHealth = GrpcClients.newClient("http://127.0.0.1:" + server.port(),
        HealthGrpc.HealthBlockingStub.class);
    for (String service : new String[] {"", "ratelimit"}) {
      assertThat(grpcHealth.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
          .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
  }

  static HttpResponse<String> post(int port, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
