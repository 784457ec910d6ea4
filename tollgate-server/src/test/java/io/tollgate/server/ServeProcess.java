package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code tollgate serve} started as a separate JVM on a free port, for tests that need a process. */
final class ServeProcess implements AutoCloseable {

  final Process process;
  final int port;
  final Path policy;
  /** What the process said before its start line. */
  final String before;
  /** The process's console (stdout and stderr together), after its start line. */
  final BufferedReader console;
  final String startLine;

  /**
   * Writes {@code policyBody} after a {@code listen:} line for a free port, starts the gateway with
   * {@code jvmOptions}, and returns once it has printed its start line.
   */
  static ServeProcess start(Path dir, String policyBody, String... jvmOptions) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, "listen: 127.0.0.1:" + port + "\n"
        + (policyBody.contains("admin:") ? "" : "admin: {listen: off}\n") + policyBody);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve", "--config",
        policy.toString()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader console = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder said = new StringBuilder();
    String line;
    do {
      line = console.readLine();
      said.append(line).append('\n');
    } while (line != null && !line.contains("tollgate: listening"));
    assertThat(line).as("the start line; it said:\n" + said).isNotNull();
    return new ServeProcess(process, port, policy, console, event(line), said.toString());
  }

  /** A log line without its time and level: {@code tollgate: listening on …}, {@code tollgate.redis: …}. */
  static String event(String line) {
    return line == null ? null : line.replaceFirst("^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z [A-Z]+ +", "");
  }

  /** Reads the console up to the next line that contains {@code fragment}, and returns it as {@link #event}. */
  String next(String fragment) throws IOException {
    String line;
    do {
      line = console.readLine();
    } while (line != null && !line.contains(fragment));
    return event(line);
  }

  private ServeProcess(Process process, int port, Path policy, BufferedReader console, String startLine, String before) {
    this.before = before;
    this.process = process;
    this.port = port;
    this.policy = policy;
    this.console = console;
    this.startLine = startLine;
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
