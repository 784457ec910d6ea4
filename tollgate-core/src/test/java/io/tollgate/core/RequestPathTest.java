package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.core.RequestPath.EncodedSlash;
import io.tollgate.core.RequestPath.InvalidPathException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/, /",
      "/api/private/x, /api/private/x",
      "/api/./private/x, /api/private/x",
      "/./api/private/x, /api/private/x",
      "/api/./private, /api/private",
      "/api//private///x, /api/private/x",
      "//api/private, /api/private",
      "/api/%70rivate/x, /api/private/x",
      "/api/%2e/private, /api/private",
      "/api/x/../private, /api/private",
      "/api/x/%2E%2E/private, /api/private",
      "/a/b/.., /a/",
      "/a/b/., /a/b/",
      "/a/., /a/",
      "/a/.., /",
      "/a/, /a/",
      "/a//, /a/",
      "/.well-known/x, /.well-known/x",
      "/a/.b/..c/c.., /a/.b/..c/c..",
      "/caf%c3%a9, /caf%C3%A9",
      "/100%25, /100%25",
      "/%252e%252e/x, /%252e%252e/x",
      "/a;v=1/b, /a;v=1/b",
      "/%7Euser/%41%5a, /~user/AZ",
  })
  void normalizes(String raw, String normalized) {
    assertThat(RequestPath.normalize(raw, EncodedSlash.REJECT)).isEqualTo(normalized);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/..", "/../x", "/a/../..", "/a/%2e%2e/%2E%2E/b", "/./..", "x", "", "*", "/a%", "/a%2",
      "/a%zz", "/a%2F", "/a%2fb", "/a%5Cb", "/a\\b", "/a/..;x/b", "/a/.;x"})
  void refuses(String raw) {
    assertThatThrownBy(() -> RequestPath.normalize(raw, EncodedSlash.REJECT)).isInstanceOf(InvalidPathException.class)
        .hasMessageNotContaining("Exception");
  }

  @ParameterizedTest(name = "{0}: keep {1}, decode {2}")
  @CsvSource({
      "/api%2Fprivate/x, /api%2Fprivate/x, /api/private/x",
      "/api%2fprivate/x, /api%2Fprivate/x, /api/private/x",
      "/api%5Cprivate, /api%5Cprivate, /api/private",
      "/a\\b, /a\\b, /a/b",
      "/a/..%2F..%2Fb, /a/..%2F..%2Fb, -",
      "/a/b/..%2Fc, /a/b/..%2Fc, /a/c",
  })
  void encodedSlashModes(String raw, String keep, String decode) {
    assertThat(RequestPath.normalize(raw, EncodedSlash.KEEP)).isEqualTo(keep);
    if (decode.equals("-")) {
      assertThatThrownBy(() -> RequestPath.normalize(raw, EncodedSlash.DECODE))
          .isInstanceOf(InvalidPathException.class).hasMessageContaining("above the root");
    } else {
      assertThat(RequestPath.normalize(raw, EncodedSlash.DECODE)).isEqualTo(decode);
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"/a/b, /a/b", "/api;jsessionid=1/private/x, /api/private/x", "/a;x/b;y, /a/b", "/a/b;, /a/b",
      "/;x, /"})
  void matchingDropsSegmentParameters(String normalized, String matched) {
    assertThat(RequestPath.forMatching(normalized)).isEqualTo(matched);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/private/x", "/v1/items/42", "/a-b_c~d/e.f"})
  void aNormalPathIsReturnedAsItIs(String path) {
    assertThat(RequestPath.normalize(path, EncodedSlash.REJECT)).isSameAs(path);
    assertThat(RequestPath.forMatching(path)).isSameAs(path);
    RequestPath read = RequestPath.of(path, EncodedSlash.REJECT);
    assertThat(read.normalized()).isSameAs(path);
    assertThat(read.forMatching()).isSameAs(path);
  }

  @ParameterizedTest(name = "{0} -> {1}, matched as {2}")
  @CsvSource({"/api;jsessionid=1/private/x, /api;jsessionid=1/private/x, /api/private/x",
      "/a/./b;x, /a/b;x, /a/b", "/a//b, /a/b, /a/b", "/;x, /;x, /"})
  void bothFormsAtOnce(String raw, String normalized, String matched) {
    RequestPath read = RequestPath.of(raw, EncodedSlash.REJECT);
    assertThat(read.normalized()).isEqualTo(normalized);
    assertThat(read.forMatching()).isEqualTo(matched);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a;x/b", "/a/b;v=1.2"})
  void aPathWithParametersOnlyIsForwardedAsItIs(String path) {
    assertThat(RequestPath.normalize(path, EncodedSlash.REJECT)).isSameAs(path);
    assertThat(RequestPath.of(path, EncodedSlash.REJECT).normalized()).isSameAs(path);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/..", "/a%2Fb", "/a%zz"})
  void messagesSayWhy(String raw) {
    assertThatThrownBy(() -> RequestPath.normalize(raw, EncodedSlash.REJECT))
        .hasMessageMatching(".*(above the root|encoded slash|malformed percent-encoding).*");
  }
}
