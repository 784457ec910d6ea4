package io.tollgate.config.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code tollgate check}: exit codes and what it prints. */
class MainTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void aValidFileExitsZeroWithASummaryOfRoutesLimitsAndKeys() {
    String file = Path.of("..", "examples", "platform-api.yaml").toString();
    assertThat(run("check", file)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .startsWith(file + ": valid\n")
        .contains("    process  POST /platform/v2/process/{siteIdentifier}\n")
        .contains("    process  1/5m fixed-window, key param:siteIdentifier, routes process\n")
        .contains("    per-endpoint  5/1s fixed-window, key client-ip + method + path, routes default\n");
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void anInvalidFileExitsTwoWithEveryErrorAtItsPosition() {
    String file = Path.of("src", "test", "resources", "bad", "many-errors.yaml").toString();
    assertThat(run("check", file)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo(
        file + ":2:1: unknown key 'upstrem' (did you mean 'upstream'?) in the policy file\n"
            + file + ":5:12: limit must be > 0 (was -1)\n"
            + file + ":9:13: window: bad duration '5x': unknown unit 'x' (use ms, s, m, h or d)\n"
            + "3 errors in " + file + "\n");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("check")).isEqualTo(2);
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: tollgate check FILE", "unknown command 'frobnicate'");
    assertThat(run("help")).isZero();
  }
}
