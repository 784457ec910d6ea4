package io.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.core.Algorithm;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.RequestPath;
import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyLoaderTest {

  private static String resource(String name) throws IOException {
    try (InputStream in = PolicyLoaderTest.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<String> errorsOf(String fixture) throws IOException {
    try {
      PolicyLoader.parse(resource("bad/" + fixture), fixture, Map.of());
    } catch (PolicyException e) {
      return e.errors().stream().map(PolicyError::toString).collect(Collectors.toList());
    }
    throw new AssertionError(fixture + " parsed without errors");
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("unknown-key.yaml", "unknown-key.yaml:5:5: unknown key 'windw' (did you mean 'window'?) in a limit"),
        Arguments.of("wrong-type.yaml", "wrong-type.yaml:3:12: limit must be a whole number (was 'sixty')"),
        Arguments.of("bad-duration.yaml", "bad-duration.yaml:4:13: window: bad duration '1 minute' (write an integer and a unit: "
            + "500ms, 1s, 15m, 1h, 1d)"),
        Arguments.of("sub-millisecond-window.yaml", "sub-millisecond-window.yaml:4:13: window must be at least 1ms (was '0ms')"),
        Arguments.of("unknown-route.yaml", "unknown-route.yaml:6:14: unknown route 'contcat' (did you mean 'contact'?) "
            + "(routes: default, contact)"),
        Arguments.of("duplicate-name.yaml", "duplicate-name.yaml:5:11: duplicate limit name 'per-ip'"),
        Arguments.of("concurrency-with-limit.yaml", "concurrency-with-limit.yaml:4:5: 'limit' does not go with 'concurrency': "
            + "a concurrency limit counts requests in flight, not units per window (remove one of them)"),
        Arguments.of("missing-name.yaml", "missing-name.yaml:2:5: a limit needs a 'name'"),
        Arguments.of("unknown-key-part.yaml", "unknown-key-part.yaml:3:11: unknown key part 'client-ipp' (expected client-ip, "
            + "route, method, path, api-key, tenant, header:NAME, query:NAME or param:NAME) (did you mean 'client-ip'?)"),
        Arguments.of("redis-on-failure.yaml", "redis-on-failure.yaml:4:15: on-failure must be allow, deny or local "
            + "(was 'alow') (did you mean 'allow'?)"),
        Arguments.of("redis-uri.yaml", "redis-uri.yaml:1:8: store: cannot read redis://***@127.0.0.1:notaport as "
            + "redis://[:password@]host[:port][/db] (rediss:// for TLS)"),
        Arguments.of("redis-cluster-uri.yaml", "redis-cluster-uri.yaml:1:8: store: a cluster node is host:port "
            + "(was '10.0.0.2' in redis-cluster://10.0.0.1:7000,10.0.0.2)"),
        Arguments.of("unknown-algorithm.yaml", "unknown-algorithm.yaml:5:16: unknown algorithm 'token-buckt' (did you mean "
            + "'token-bucket'?) (fixed-window, sliding-window or token-bucket; for requests in flight write 'concurrency: N')"),
        Arguments.of("burst-without-token-bucket.yaml", "burst-without-token-bucket.yaml:5:12: 'burst' applies to algorithm: "
            + "token-bucket only"),
        Arguments.of("bad-status.yaml", "bad-status.yaml:2:11: status must be in 400..599 (was 200)"),
        Arguments.of("bad-pattern.yaml", "bad-pattern.yaml:3:13: pattern 'items/**' must have a path starting with '/' "
            + "(e.g. /v1/items/**)"),
        Arguments.of("bad-cidr.yaml", "bad-cidr.yaml:1:9: bad CIDR '10.0.0.0/33': prefix must be 0..32"),
        Arguments.of("tenant-key-without-tenants.yaml", "tenant-key-without-tenants.yaml:2:5: this limit is keyed by tenant "
            + "or api-key, but the file has no 'tenants' block (add tenants.api-key: header:NAME)"),
        Arguments.of("override-unknown-limit.yaml", "override-unknown-limit.yaml:7:7: override of unknown limit 'per-tenan' "
            + "(did you mean 'per-tenant'?)"),
        Arguments.of("unset-env.yaml", "unset-env.yaml:1:11: environment variable 'TOLLGATE_TEST_SURELY_UNSET' is not set "
            + "(set it, or write ${TOLLGATE_TEST_SURELY_UNSET:-default})"),
        Arguments.of("not-yaml.yaml", "not-yaml.yaml:4:11: not valid YAML: expected ',' or ']', but got :"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void eachBadCaseHasItsExactMessage(String fixture, String expected) throws IOException {
    assertThat(errorsOf(fixture)).containsExactly(expected);
  }

  @Test
  void everyErrorOfAFileIsReportedAtOnce() throws IOException {
    assertThat(errorsOf("many-errors.yaml")).containsExactly(
        "many-errors.yaml:2:1: unknown key 'upstrem' (did you mean 'upstream'?) in the policy file",
        "many-errors.yaml:5:12: limit must be > 0 (was -1)",
        "many-errors.yaml:9:13: window: bad duration '5x': unknown unit 'x' (use ms, s, m, h or d)");
  }

  @Test
  void environmentVariablesAreSubstitutedButTemplatePlaceholdersAreNot() throws Exception {
    PolicyFile pf = PolicyLoader.parse(resource("good/env.yaml"), "env.yaml",
        Map.of("REDIS_PASSWORD", "s3cret", "PER_IP_LIMIT", "75"));
    assertThat(((StoreSettings.Redis) pf.settings().store()).uri()).isEqualTo("redis://:s3cret@127.0.0.1:6379/0");
    assertThat(pf.settings().upstream().url()).isEqualTo("http://127.0.0.1:9000");
    assertThat(pf.policy().limit("per-ip").limit()).isEqualTo(75);
    assertThat(pf.policy().refusal().body()).isEqualTo("{\"limit\":${limit},\"retryAfter\":${retry-after}}");
  }

  @Test
  void defaultsAreThoseOfTheSpec() throws Exception {
    PolicyFile pf = PolicyLoader.parse("limits: [{name: a, limit: 1, window: 1s}]", "t.yaml", Map.of());
    assertThat(pf.settings().listen()).isEqualTo(new Settings.Listen(null, 8080));
    assertThat(pf.settings().store()).isEqualTo(new StoreSettings.Memory(1_000_000));
    assertThat(pf.settings().upstream()).as("no default upstream: the gateway asks for one").isNull();
    assertThat(pf.settings().tls()).isNull();
    Policy p = pf.policy();
    assertThat(p.refusal().status()).isEqualTo(429);
    assertThat(p.refusal().headers()).containsExactly(HeaderSet.X_RATELIMIT, HeaderSet.RETRY_AFTER, HeaderSet.RATELIMIT);
    Limit a = p.limit("a");
    assertThat(a.algorithm()).isEqualTo(Algorithm.FIXED_WINDOW);
    assertThat(a.cost()).isEqualTo(1);
    assertThat(a.key()).isEmpty();
  }

  @Test
  void theHttpBoundsDefaultToTheSpecsAndAreRead() throws Exception {
    PolicyFile d = PolicyLoader.parse("limits: [{name: a, limit: 1, window: 1s}]", "t.yaml", Map.of());
    assertThat(d.settings().http()).isEqualTo(new Settings.Http(RequestPath.EncodedSlash.REJECT, Duration.ofSeconds(10),
        Duration.ofSeconds(60), 10_000, 0));
    PolicyFile pf = PolicyLoader.parse("paths: {encoded-slash: decode}\nrequest-header-timeout: 2s\nidle-timeout: 5m\n"
        + "max-connections: 500\nmax-request-body: 10MB\nlimits: [{name: a, limit: 1, window: 1s}]", "t.yaml", Map.of());
    assertThat(pf.settings().http()).isEqualTo(new Settings.Http(RequestPath.EncodedSlash.DECODE, Duration.ofSeconds(2),
        Duration.ofMinutes(5), 500, 10L << 20));
    for (String size : List.of("1048576", "1024KB", "1MB", "1 mb")) {
      assertThat(PolicyLoader.parse("max-request-body: " + size + "\nlimits: [{name: a, limit: 1, window: 1s}]", "t.yaml", Map.of()).settings().http().maxRequestBody())
          .as(size).isEqualTo(1L << 20);
    }
    assertThat(PolicyLoader.parse("max-request-body: unlimited\nlimits: [{name: a, limit: 1, window: 1s}]", "t.yaml", Map.of()).settings().http().maxRequestBody())
        .isZero();
  }

  @Test
  void badHttpBoundsAreErrorsAtTheirPlace() {
    assertThatThrownBy(() -> PolicyLoader.parse("paths: {encoded-slash: allow}\nrequest-header-timeout: 0s\n"
        + "max-connections: 0\nmax-request-body: 10 apples\npaths2: 1", "t.yaml", Map.of()))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("t.yaml:1:24: encoded-slash must be reject, keep or decode (was 'allow')")
        .hasMessageContaining("t.yaml:2:25: request-header-timeout must be at least 1ms (was '0s')")
        .hasMessageContaining("t.yaml:3:18: max-connections must be")
        .hasMessageContaining("t.yaml:4:19: max-request-body must be a size such as 10MB, 512KB or 1048576 (bytes), "
            + "or 'unlimited' (was '10 apples')")
        .hasMessageContaining("t.yaml:5:1: unknown key 'paths2'");
  }

  @Test
  void jsonIsAPolicyFileToo() throws Exception {
    PolicyFile pf = PolicyLoader.parse("{\"limits\":[{\"name\":\"a\",\"limit\":5,\"window\":\"1s\",\"key\":[\"client-ip\"]}]}",
        "p.json", Map.of());
    assertThat(pf.policy().limit("a").key()).containsExactly(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP)));
  }

  static Stream<Path> examples() throws IOException {
    return Files.list(Path.of("..", "examples")).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleParses(Path example) throws Exception {
    PolicyFile pf = PolicyLoader.load(example);
    assertThat(pf.policy().limits()).isNotEmpty();
  }

  @Test
  void theFiveSeedPlatformsAreAllThere() throws IOException {
    assertThat(examples().map(p -> p.getFileName().toString())).contains("s360.yaml", "swcombine.yaml", "salestim.yaml",
        "platform-api.yaml", "onestack.yaml");
  }

  @Test
  void aMissingFileIsAnErrorNotACrash() {
    assertThatThrownBy(() -> PolicyLoader.load(Path.of("no-such-policy.yaml")))
        .isInstanceOf(PolicyException.class)
        .hasMessage("no-such-policy.yaml:1:1: cannot read the file: no such file");
    assertThatThrownBy(() -> PolicyLoader.load(Path.of("..", "examples")))
        .hasMessage(Path.of("..", "examples") + ":1:1: cannot read the file: it is a directory");
  }

  @Test
  void tlsFilesAreResolvedAgainstThePolicyFilesDirectoryAndMustExist(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("certs"));
    Files.writeString(dir.resolve("certs/t.pem"), "x");
    Files.writeString(dir.resolve("certs/t.key"), "x");
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "tls: {cert: certs/t.pem, key: certs/t.key}\nlimits: [{name: a, limit: 1, window: 1s}]\n");
    PolicyFile pf = PolicyLoader.load(file);
    assertThat(pf.settings().tls()).isEqualTo(new Settings.Tls(dir.resolve("certs/t.pem"), dir.resolve("certs/t.key")));

    Files.writeString(file, "tls: {cert: certs/none.pem}\nlimits: [{name: a, limit: 1, window: 1s}]\n");
    assertThatThrownBy(() -> PolicyLoader.load(file)).isInstanceOfSatisfying(PolicyException.class, e ->
        assertThat(e.errors()).extracting(PolicyError::toString).containsExactly(
            file + ":1:6: tls needs 'key' (the PEM private key)",
            file + ":1:13: tls.cert: no such file " + dir.resolve("certs/none.pem")));
  }

  @Test
  void theFilesHashIsThatOfItsBytes(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "limits: [{name: a, limit: 1, window: 1s}]\n");
    // printf 'limits: [{name: a, limit: 1, window: 1s}]\n' | sha256sum
    assertThat(PolicyLoader.load(file).sha256()).isEqualTo("cbc024ab628b5025ba827bfcc6e95d289538ba44d326442daaad41b4b3a7ac0c");
  }

  @Test
  void aRedisStoreTakesItsPasswordFromTheEnvironmentAndItsBlockOfSettings() throws Exception {
    PolicyFile pf = PolicyLoader.parse("store: redis://:${REDIS_PASSWORD}@10.0.0.5:6380/2\n"
        + "redis: {timeout: 20ms, on-failure: deny, clock: local, lease-ttl: 2m, key-prefix: shop}\n"
        + "limits:\n  - {name: a, limit: 1, window: 1s}\n", "r.yaml", Map.of("REDIS_PASSWORD", "s3cret"));
    assertThat(pf.settings().store()).isEqualTo(new StoreSettings.Redis("redis://:s3cret@10.0.0.5:6380/2",
        Duration.ofMillis(20), StoreSettings.OnFailure.DENY, StoreSettings.Clock.LOCAL, Duration.ofMinutes(2), "shop",
        1_000_000));
    assertThat(pf.settings().store().describe())
        .isEqualTo("redis://***@10.0.0.5:6380/2 (timeout 20ms, on-failure deny, clock local)");
    PolicyFile defaults = PolicyLoader.parse("store: redis-cluster://a:7000,b:7001\nlimits:\n  - {name: a, limit: 1, window: 1s}\n",
        "d.yaml", Map.of());
    assertThat(defaults.settings().store()).isEqualTo(new StoreSettings.Redis("redis-cluster://a:7000,b:7001",
        Duration.ofMillis(50), StoreSettings.OnFailure.LOCAL, StoreSettings.Clock.REDIS, Duration.ofSeconds(60),
        "tollgate", 1_000_000));
  }
}
