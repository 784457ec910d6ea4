package io.tollgate.config.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.core.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * envoyproxy/ratelimit's configuration read by Tollgate: its own test fixtures
 * (src/test/resources/envoy-ratelimit, unchanged) load or fail as in the reference, and a request's
 * descriptor finds the rule the reference's config_test.go says it finds.
 */
class RlsConfigTest {

  private static final Path FIXTURES = Path.of("src", "test", "resources", "envoy-ratelimit");

  @TempDir
  Path dir;

  /** Entries from {@code k1=v1,k2=v2} ({@code k} alone: an empty value). */
  private static List<Map.Entry<String, String>> entries(String text) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String kv : text.split(",")) {
      int eq = kv.indexOf('=');
      out.add(Map.entry(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1)));
    }
    return out;
  }

  private static String found(RlsConfig c, String domain, String descriptor) {
    RlsRule r = c.match(domain, entries(descriptor));
    return r == null ? "none" : r.toString();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "key1=something | none",
      "key1=value1 | none",
      "key2=value2,subkey=subvalue | none",
      "key5=value5,subkey5=subvalue | none",
      "key1=value1,subkey1=something | test-domain.key1_value1.subkey1 5/second",
      "key1=value1,subkey1=subvalue1 | test-domain.key1_value1.subkey1_subvalue1 10/second",
      "key2=something | test-domain.key2 20/minute",
      "key2=value2 | test-domain.key2_value2 30/minute",
      "key2=value3 | none",
      "key3=foo | test-domain.key3 1/hour",
      "key4=bar | test-domain.key4 1/day",
      "key5=value5 | test-domain.key5_value5 15/day",
      "key5=value5,subkey5=subvalue5 | test-domain.key5_value5.subkey5_subvalue5 25/day",
      "key6=any | test-domain.key6 unlimited",
      "key7=any | test-domain.key7 70/minute"})
  void theBasicConfigMatchesAsTheReferenceDoes(String descriptor, String rule) throws Exception {
    RlsConfig c = RlsConfig.load(FIXTURES.resolve("basic_config.yaml"));
    assertThat(found(c, "test-domain", descriptor)).isEqualTo(rule);
    assertThat(c.match("foo_domain", entries(descriptor))).as("unknown domain").isNull();
    assertThat(c.match("test-domain", List.of())).as("no entries").isNull();
    assertThat(c.ignoredKeys()).containsExactly("detailed_metric");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "noVal=foo1 | test-domain.noVal 20/minute",
      "wild=foo1 | test-domain.wild_foo* 20/minute",
      "wild=foo2 | test-domain.wild_foo* 20/minute",
      "wild=foo | test-domain.wild_foo* 20/minute",
      "wild=bar | none",
      "noWild=foo1 | none",
      "noWild=foo | test-domain.noWild_foo 20/minute",
      "midWild=barab | test-domain.midWild_bar*b 20/minute",
      "midWild=barb | test-domain.midWild_bar*b 20/minute",
      "midWild=baraba | none"})
  void wildcardsMatchAnywhereInTheValue(String descriptor, String rule) throws Exception {
    // The vendored reference (April 2023) takes '*' only at the end; current envoyproxy/ratelimit, and
    // Tollgate, anywhere: bar*b matches barab.
    assertThat(found(RlsConfig.load(FIXTURES.resolve("wildcard.yaml")), "test-domain", descriptor)).isEqualTo(rule);
  }

  @Test
  void shadowModeIsReadPerRule() throws Exception {
    RlsConfig c = RlsConfig.load(FIXTURES.resolve("shadowmode_config.yaml"));
    assertThat(c.rules()).filteredOn(RlsRule::shadowMode).isNotEmpty();
    assertThat(c.rules()).filteredOn(r -> !r.shadowMode()).isNotEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bad_limit_unit.yaml | 6:13 | invalid rate limit unit 'foo'",
      "duplicate_key.yaml | 6:10 | duplicate descriptor 'test-domain.key1_value1'",
      "empty_domain.yaml | 1:1 | no 'domain'",
      "empty_key.yaml | 3:5 | a descriptor needs a non-empty 'key'",
      "misspelled_key.yaml | 5:5 | unknown key 'ratelimit'",
      "misspelled_key2.yaml | 7:7 | unknown key 'requestsperunit'",
      "non_map_list.yaml | 3:5 | a descriptor must be a mapping",
      "non_string_key.yaml | 1:1 | unknown key '0.25'",
      "replaces_empty.yaml | 10:15 | a replaces entry needs a non-empty name",
      "replaces_self.yaml | 10:15 | a rate_limit cannot replace itself ('self')",
      "unlimited_with_unit.yaml | 6:13 | an unlimited rate_limit takes no unit"})
  void badFilesFailAtTheirPosition(String file, String at, String message) {
    Path f = FIXTURES.resolve(file);
    assertThatThrownBy(() -> RlsConfig.load(f)).isInstanceOf(PolicyException.class)
        .satisfies(e -> assertThat(((PolicyException) e).errors()).extracting(PolicyError::toString)
            .anySatisfy(s -> assertThat(s).startsWith(f + ":" + at + ": ").contains(message)));
  }

  @Test
  void aBrokenYamlFileIsAnErrorNotACrash() {
    assertThatThrownBy(() -> RlsConfig.load(FIXTURES.resolve("bad_yaml.yaml"))).isInstanceOf(PolicyException.class);
  }

  @Test
  void aDirectoryIsReadWholeAndTheSameDomainTwiceIsAnError() throws Exception {
    Files.copy(FIXTURES.resolve("basic_config.yaml"), dir.resolve("a.yaml"));
    Files.copy(FIXTURES.resolve("wildcard.yaml"), dir.resolve("b.yaml"));
    Files.writeString(dir.resolve(".c.yaml"), "not: read"); // dot files are left out, as the runtime does
    assertThatThrownBy(() -> RlsConfig.load(dir)).isInstanceOf(PolicyException.class)
        .hasMessageContaining(dir.resolve("b.yaml") + ":2:9: duplicate domain 'test-domain' (also in "
            + dir.resolve("a.yaml") + ")");
    Files.writeString(dir.resolve("b.yaml"), Files.readString(FIXTURES.resolve("wildcard.yaml"))
        .replace("domain: test-domain", "domain: other"));
    RlsConfig c = RlsConfig.load(dir);
    assertThat(c.domains()).containsExactlyInAnyOrder("test-domain", "other");
    assertThat(found(c, "other", "wild=foo9")).isEqualTo("other.wild_foo* 20/minute");
  }

  @Test
  void tollgatesExtensionsAndTheLongerUnits() throws Exception {
    Path f = Files.writeString(dir.resolve("x.yaml"), """
        domain: d
        descriptors:
          - key: tenant
            rate_limit: {unit: week, requests_per_unit: 1000, algorithm: token-bucket, burst: 50, name: weekly}
          - key: blocked
            rate_limit: {unit: second, requests_per_unit: 0}
          - key: yearly
            quota_mode: true
            rate_limit: {unit: year, requests_per_unit: 1, replaces: [{name: weekly}]}
        """);
    RlsConfig c = RlsConfig.load(f);
    RlsLimit weekly = c.match("d", entries("tenant=a")).limit();
    assertThat(weekly).isEqualTo(new RlsLimit(1000, RlsLimit.Unit.WEEK, false, "weekly", List.of(),
        Algorithm.TOKEN_BUCKET, 50));
    assertThat(weekly.unit().window()).hasDays(7);
    assertThat(c.match("d", entries("blocked=x")).limit().requestsPerUnit()).isZero();
    assertThat(c.match("d", entries("yearly=x")).limit().replaces()).containsExactly("weekly");
    assertThat(RlsLimit.Unit.MONTH.window()).hasDays(30);
    assertThat(RlsLimit.Unit.YEAR.window()).hasDays(365);
    assertThat(c.ignoredKeys()).containsExactly("quota_mode");
    Path bad = Files.writeString(dir.resolve("y.yaml"), "domain: d\ndescriptors:\n  - key: k\n"
        + "    rate_limit: {unit: minute, requests_per_unit: 1, burst: 5}\n");
    assertThatThrownBy(() -> RlsConfig.load(bad)).hasMessageContaining("y.yaml:4:61: burst is for algorithm: token-bucket only");
  }

  @ParameterizedTest(name = "{0} ~ {1}: {2}")
  @CsvSource({"foo*, foo, true", "foo*, foobar, true", "foo*, fo, false", "*, '', true", "a*b*c, aXbYc, true",
      "a*b*c, abc, true", "a*b*c, acb, false", "*x, yyx, true", "*x, xy, false", "a**b, ab, true"})
  void globs(String pattern, String text, boolean matches) {
    assertThat(RlsRule.glob(pattern, text)).isEqualTo(matches);
  }
}
