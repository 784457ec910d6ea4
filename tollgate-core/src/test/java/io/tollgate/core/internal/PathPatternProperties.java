package io.tollgate.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The prefix shortcut for patterns such as {@code /a/b/**} answers exactly as segment matching does. */
class PathPatternProperties {

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment = Arbitraries.of("", "a", "b", "ab", "v1", "a.b");
    return segment.list().ofMaxSize(5).map(segs -> "/" + String.join("/", segs))
        .flatMap(p -> Arbitraries.of(p, p + "/", p.substring(1), "/" + p));
  }

  @Provide
  Arbitrary<String> patterns() {
    Arbitrary<String> segment = Arbitraries.of("a", "b", "ab", "v1", "*", "{x}", "**");
    return segment.list().ofMaxSize(4).map(segs -> "/" + String.join("/", segs))
        .flatMap(p -> Arbitraries.of(p, p + "/", p + "/**", "GET " + p));
  }

  @Property(tries = 2000)
  void prefixMatchingAgreesWithSegmentMatching(@ForAll("patterns") String pattern, @ForAll("paths") String path) {
    net.jqwik.api.Assume.that(pattern.indexOf("{x}") == pattern.lastIndexOf("{x}")); // a name is captured once
    PathPattern p = PathPattern.parse(pattern);
    int[] captures = new int[4];
    boolean fast = p.matches("GET", path, new Segments().reset(), captures);
    boolean slow = p.matchesBySegments("GET", path, new Segments().reset(), captures);
    assertThat(fast).as("%s vs %s", pattern, path).isEqualTo(slow);
  }

  @Property(tries = 200)
  void literalPrefixesMatchTheirSubtrees(@ForAll("paths") String path) {
    for (String pattern : List.of("/a/**", "/a/b", "/", "/**")) {
      PathPattern p = PathPattern.parse(pattern);
      assertThat(p.matches("GET", path, new Segments().reset(), new int[1]))
          .isEqualTo(p.matchesBySegments("GET", path, new Segments().reset(), new int[1]));
    }
  }
}
