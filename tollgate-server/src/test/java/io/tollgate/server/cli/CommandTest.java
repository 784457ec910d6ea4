package io.tollgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tollgate} command in this JVM: every command, option and error, its exit status and its words. */
class CommandTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return TollgateCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEveryCommandAndOption() {
    for (String[] help : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
      assertThat(run(help)).isZero();
      assertThat(out.toString()).startsWith("Usage: tollgate [-hV] COMMAND")
          .contains("  serve ", "  check ", "  version ", "  help ", "-h, --help", "-V, --version", "Exit status: 0");
    }
    assertThat(run("help", "serve")).isZero();
    assertThat(out.toString()).startsWith("Usage: tollgate serve [-hV] [-c=FILE]").contains("-c, --config=FILE");
    assertThat(run("serve", "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: tollgate serve [-hV] [-c=FILE]");
    assertThat(run("help", "check")).isZero();
    assertThat(out.toString()).startsWith("Usage: tollgate check [-hV] FILE...");
  }

  @Test
  void versionIsOneLine() {
    assertThat(run("version")).isZero();
    String version = out.toString();
    assertThat(version).matches("tollgate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(java " + System.getProperty("java.version")
        .replace(".", "\\.") + "\\)\n");
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).isEqualTo(version);
    assertThat(run("-V")).isZero();
    assertThat(out.toString()).isEqualTo(version);
  }

  @Test
  void usageErrorsSayWhatWasWrongAndExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err.toString()).startsWith("tollgate: Missing command: say serve, check, version or help\n")
        .contains("Usage: tollgate");
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tollgate: unknown command 'frobnicate' (commands: serve, check, version, help)\n");
    assertThat(run("--frob")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tollgate: unknown option '--frob'\n");
    assertThat(run("serve", "--port", "80")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tollgate: Unknown options: '--port', '80'\n").contains("Usage: tollgate serve");
    assertThat(run("serve", "-c")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tollgate: Missing required parameter for option '--config' (FILE)\n");
    assertThat(run("check")).isEqualTo(2);
    assertThat(err.toString()).startsWith("tollgate: Missing required parameter: 'FILE'\n").contains("Usage: tollgate check");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void checkSummarisesAValidFile() {
    String file = Path.of("..", "examples", "platform-api.yaml").toString();
    assertThat(run("check", file)).isZero();
    assertThat(out.toString())
        .startsWith(file + ": valid\n  listen 8080 -> upstream echo (timeout 30s), store memory\n"
            + "  admin 127.0.0.1:9901, reload watch\n")
        .contains("    process  POST /platform/v2/process/{siteIdentifier}\n")
        .contains("    process  1/5m fixed-window, key param:siteIdentifier, routes process\n")
        .contains("    per-endpoint  5/1s fixed-window, key client-ip + method + path, routes default\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checkSummarisesAFileThatRunsTheCheckEndpointAlone() {
    String file = Path.of("..", "examples", "nginx", "policy.yaml").toString();
    assertThat(run("check", file)).isZero();
    assertThat(out.toString()).startsWith(file + ": valid\n  no gateway (no upstream), store memory\n"
        + "  check endpoint 127.0.0.1:8082, deny-status 403\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checkSummarisesTheEnvoyExampleWithItsRules() {
    String file = Path.of("..", "examples", "envoy", "tollgate.yaml").toString();
    assertThat(run("check", file)).isZero();
    String config = Path.of("..", "examples", "envoy", "ratelimit").toAbsolutePath().normalize().toString();
    assertThat(out.toString()).startsWith(file + ": valid\n  no gateway (no upstream), store memory\n"
        + "  Envoy rate limit service 8081, /json also on 8080: " + config + ", 1 domains (edge), 5 rules\n"
        + "    edge.remote_address 100/minute\n"
        + "    edge.remote_address_203.0.113.66 0/minute\n");
    assertThat(out.toString()).contains("    edge.generic_key_writes.api_key 20/minute 'writes'\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checkPrintsEveryErrorOfEveryFileAtItsPositionAndExitsTwo() {
    String bad = Path.of("..", "tollgate-config", "src", "test", "resources", "bad", "many-errors.yaml").toString();
    String good = Path.of("..", "examples", "s360.yaml").toString();
    assertThat(run("check", bad, good)).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(
        bad + ":2:1: unknown key 'upstrem' (did you mean 'upstream'?) in the policy file\n"
            + bad + ":5:12: limit must be > 0 (was -1)\n"
            + bad + ":9:13: window: bad duration '5x': unknown unit 'x' (use ms, s, m, h or d)\n"
            + "3 errors in " + bad + "\n");
    assertThat(out.toString()).startsWith(good + ": valid\n");
  }

  @Test
  void filesThatCannotBeReadAreNamedWithTheReason(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("none.yaml");
    assertThat(run("serve", "-c", missing.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(missing + ":1:1: cannot read the file: no such file\n1 error in " + missing + "\n");
    assertThat(run("check", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith(dir + ":1:1: cannot read the file: it is a directory\n");
    Path secret = Files.writeString(dir.resolve("secret.yaml"), "limits: []\n");
    if (secret.toFile().setReadable(false) && !Files.isReadable(secret)) { // root reads anything
      assertThat(run("check", secret.toString())).isEqualTo(2);
      assertThat(err.toString()).startsWith(secret + ":1:1: cannot read the file: permission denied\n");
    }
    assertThat(err.toString()).doesNotContain("Exception");
  }

  @Test
  void servingNeedsAnUpstreamWhichCheckSaysToo(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("p.yaml"), "limits: [{name: a, limit: 1, window: 1s}]\n");
    String expected = file + ":1:1: no 'upstream': the gateway needs the base URL allowed requests go to "
        + "(upstream: http://host:port), or 'echo' for the built-in echo upstream; a file with a 'check:' or "
        + "'envoy-rls:' block and no upstream runs those decision services alone\n1 error in " + file + "\n";
    assertThat(run("serve", "--config=" + file)).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(expected);
    assertThat(run("check", file.toString())).isEqualTo(2);
    assertThat(err.toString()).isEqualTo(expected);
  }

  @Test
  void aPortInUseIsNamedAndExitsOne(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Path file = Files.writeString(dir.resolve("p.yaml"),
          "listen: 127.0.0.1:" + port + "\nadmin: {listen: off}\nupstream: echo\nlimits: [{name: a, limit: 1, window: 1s}]\n");
      assertThat(run("serve", "-c", file.toString())).isEqualTo(1);
      assertThat(err.toString()).isEqualTo("tollgate: cannot listen on 127.0.0.1:" + port + ": port " + port
          + " is already in use (another process listens there; choose another with 'listen:')\n");
    }
  }
}
