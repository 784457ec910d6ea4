package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.core.RequestPath.EncodedSlash;
import io.tollgate.core.RequestPath.InvalidPathException;
import io.tollgate.core.internal.PathPattern;
import io.tollgate.core.internal.Segments;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * No spelling of a path walks around a route: a path and any variant of it (dot segments, doubled
 * slashes, encoded unreserved characters, detours through {@code x/..}) normalise to the same path
 * and so match the same routes; no normalised path holds a dot segment or an empty one; {@link
 * RequestPath#of} gives what the two steps give.
 */
class RequestPathProperties {

  private static final List<String> ROUTES = List.of("/api/private/**", "/api/*/items/{id}", "/api/public",
      "/v1/**", "/", "GET /api/**", "/a.b/**");

  @Provide
  Arbitrary<List<String>> segments() {
    return Arbitraries.of("api", "private", "public", "items", "42", "v1", "a.b", "x-y", "~u", "A_Z")
        .list().ofMaxSize(6);
  }

  /** A variant of {@code /segs...} spelt another way, chosen by {@code seed}. */
  private static String variant(List<String> segs, boolean trailingSlash, long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder();
    for (String s : segs) {
      b.append(r.nextInt(4) == 0 ? "//" : "/");
      if (r.nextInt(4) == 0) {
        b.append("./");
      }
      if (r.nextInt(5) == 0) {
        b.append("detour").append(r.nextInt(3) == 0 ? "/%2e%2E/" : "/../");
      }
      for (char c : s.toCharArray()) {
        b.append(r.nextInt(3) == 0 ? String.format("%%%02" + (r.nextBoolean() ? "X" : "x"), (int) c) : String.valueOf(c));
      }
    }
    if (trailingSlash || segs.isEmpty()) {
      b.append(r.nextBoolean() ? "/" : "/.");
    }
    return b.toString();
  }

  @Property(tries = 3000)
  void everyVariantNormalisesToTheSamePathAndMatchesTheSameRoutes(@ForAll("segments") List<String> segs,
      @ForAll boolean trailingSlash, @ForAll long seed) {
    String plain = "/" + String.join("/", segs) + (trailingSlash && !segs.isEmpty() ? "/" : "");
    String spelt = variant(segs, trailingSlash, seed);
    for (EncodedSlash mode : EncodedSlash.values()) {
      String a = RequestPath.normalize(plain, mode);
      String b = RequestPath.normalize(spelt, mode);
      assertThat(b).as("%s vs %s", spelt, plain).isEqualTo(a);
      assertThat(routes(b)).isEqualTo(routes(a));
    }
  }

  @Provide
  Arbitrary<String> anything() {
    Arbitrary<String> piece = Arbitraries.of("/", ".", "..", "%2e", "%2E", "%2F", "%2f", "%5C", "\\", "a", "b", ";",
        ";x=1", "%", "%4", "%41", "%25", "//", "~");
    return Combinators.combine(piece.list().ofMaxSize(12), Arbitraries.of("/", "", "//", "/."))
        .as((l, start) -> start + String.join("", l));
  }

  @Property(tries = 5000)
  void noNormalisedPathHoldsADotOrEmptySegment(@ForAll("anything") String raw) {
    for (EncodedSlash mode : EncodedSlash.values()) {
      String n;
      try {
        n = RequestPath.normalize(raw, mode);
      } catch (InvalidPathException refused) {
        assertThatThrownBy(() -> RequestPath.of(raw, mode)).as(raw).isInstanceOf(InvalidPathException.class);
        continue;
      }
      assertThat(n).startsWith("/").doesNotContain("//");
      RequestPath read = RequestPath.of(raw, mode); // the one pass agrees with the two steps
      assertThat(read.normalized()).as(raw).isEqualTo(n);
      assertThat(read.forMatching()).as(raw).isEqualTo(RequestPath.forMatching(n));
      for (String form : List.of(n, RequestPath.forMatching(n))) {
        for (String seg : form.substring(1).split("/", -1)) {
          String name = seg.indexOf(';') < 0 ? seg : seg.substring(0, seg.indexOf(';'));
          assertThat(name).as("%s -> %s", raw, form).isNotIn(".", "..");
        }
      }
      assertThat(RequestPath.normalize(n, mode)).as("idempotent: %s", raw).isEqualTo(n);
      if (mode != EncodedSlash.KEEP) {
        assertThat(n).doesNotContain("%2F", "%5C", "\\");
      }
    }
  }

  private static List<String> routes(String path) {
    List<String> matched = new ArrayList<>();
    for (String route : ROUTES) {
      if (PathPattern.parse(route).matches("GET", RequestPath.forMatching(path), new Segments().reset(), new int[2])) {
        matched.add(route);
      }
    }
    return matched;
  }
}
