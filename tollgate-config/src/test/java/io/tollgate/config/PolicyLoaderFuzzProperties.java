package io.tollgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random mutations of the example policy files: the loader either builds a whole policy or throws a
 * PolicyException whose every error names the file, a line and a column inside the text; never
 * another exception, never a result with a part missing.
 */
class PolicyLoaderFuzzProperties {

  private static final List<Path> EXAMPLES = examples();
  private static final String ALPHABET = " \t\n:-[]{},#'\"&*!|>%@?`$\\0123456789abcdefghijklmnopqrstuvwxyz_.~/"
      + "é\u0000\u2028\uFEFF";

  private static List<Path> examples() {
    try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Provide
  Arbitrary<Integer> example() {
    return Arbitraries.integers().between(0, EXAMPLES.size() - 1);
  }

  /** {@code text} with {@code count} random edits: characters inserted, deleted or replaced, lines duplicated, dropped or re-indented. */
  static String mutate(String text, long seed, int count) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder(text);
    for (int k = 0; k < count; k++) {
      int at = b.length() == 0 ? 0 : r.nextInt(b.length());
      switch (r.nextInt(7)) {
        case 0:
          b.insert(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
          break;
        case 1:
          if (b.length() > 0) {
            b.deleteCharAt(at);
          }
          break;
        case 2:
          if (b.length() > 0) {
            b.setCharAt(at, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
          }
          break;
        case 3:
          b.delete(at, Math.min(b.length(), at + r.nextInt(40)));
          break;
        default: {
          List<String> lines = new ArrayList<>(List.of(b.toString().split("\n", -1)));
          int line = r.nextInt(lines.size());
          int op = r.nextInt(3);
          if (op == 0) {
            lines.add(line, lines.get(line));
          } else if (op == 1 && lines.size() > 1) {
            lines.remove(line);
          } else {
            lines.set(line, " ".repeat(r.nextInt(5)) + lines.get(line).strip());
          }
          b.setLength(0);
          b.append(String.join("\n", lines));
          break;
        }
      }
    }
    return b.toString();
  }

  @Property(tries = 3000)
  void aMutatedPolicyIsWholeOrRefusedWithPositions(@ForAll("example") int example, @ForAll long seed,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 8) int edits) throws IOException {
    Path file = EXAMPLES.get(example);
    String text = mutate(Files.readString(file), seed, edits);
    String name = file.getFileName().toString();
    PolicyFile pf;
    try {
      pf = PolicyLoader.parse(text, name, Map.of("TOLLGATE_ADMIN", "off"));
    } catch (PolicyException e) {
      assertThat(e.errors()).isNotEmpty();
      long lines = text.lines().count() + 1;
      for (PolicyError err : e.errors()) {
        assertThat(err.file()).isEqualTo(name);
        assertThat(err.line()).as("%s", err).isBetween(1, (int) Math.max(lines, 1));
        assertThat(err.column()).as("%s", err).isPositive();
        assertThat(err.message()).as("%s", err).isNotBlank().doesNotContain("Exception");
      }
      return;
    }
    assertThat(pf.policy()).isNotNull();
    assertThat(pf.settings()).isNotNull();
    assertThat(pf.settings().listen()).isNotNull();
    assertThat(pf.settings().store()).isNotNull();
    assertThat(pf.settings().http()).isNotNull();
    assertThat(pf.policy().limits()).isNotEmpty();
    assertThat(pf.sha256()).hasSize(64);
  }
}
