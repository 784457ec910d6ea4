package io.tollgate.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: unpacked with tar, its launcher run through a symlink from
 * another directory with only JAVA_HOME set, no build and no repository.
 */
class ArchiveIT {

  @TempDir
  static Path root;
  static Path home;
  static Path linked;
  static Path work;

  @BeforeAll
  static void unpack() throws Exception {
    Path archive = Path.of(System.getProperty("tollgate.archive"));
    assertThat(archive).exists();
    Path unpacked = Files.createDirectories(root.resolve("opt"));
    assertThat(new ProcessBuilder("tar", "xzf", archive.toString(), "-C", unpacked.toString()).inheritIO().start()
        .waitFor()).isZero();
    home = unpacked.resolve("tollgate-" + System.getProperty("tollgate.version"));
    Path path = Files.createDirectories(root.resolve("path"));
    linked = Files.createSymbolicLink(path.resolve("tollgate"), home.resolve("bin/tollgate"));
    work = Files.createDirectories(root.resolve("work"));
  }

  @Test
  void holdsTheLauncherEveryJarOnceTheExamplesAndTheReadme() throws IOException {
    try (Stream<Path> top = Files.list(home)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("bin", "lib", "examples", "README.md");
    }
    assertThat(Files.isExecutable(home.resolve("bin/tollgate"))).isTrue();
    assertThat(home.resolve("examples/quickstart.yaml")).exists();
    List<String> jars;
    try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
      jars = lib.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
    assertThat(jars).contains("tollgate-server-" + System.getProperty("tollgate.version") + ".jar")
        .anyMatch(j -> j.startsWith("armeria-")).anyMatch(j -> j.startsWith("lettuce-core-"))
        .anyMatch(j -> j.startsWith("logback-classic-")).anyMatch(j -> j.startsWith("picocli-"));
    // one version of each: no name left once the version is taken off appears twice
    Map<String, String> seen = new HashMap<>();
    for (String jar : jars) {
      String name = jar.replaceFirst("-\\d[^-]*(-[A-Za-z][\\w.]*)?(-linux-[\\w_]+)?\\.jar$", "$2");
      assertThat(seen.put(name, jar)).as("two versions of " + name).isNull();
    }
  }

  @Test
  void versionAndCheckRunThroughASymlinkWithPathsOfTheCallersDirectory() throws Exception {
    Result version = run(List.of("version"));
    assertThat(version.status).isZero();
    assertThat(version.out).isEqualTo("tollgate " + System.getProperty("tollgate.version") + " (java "
        + System.getProperty("java.version") + ")\n");

    Files.writeString(work.resolve("mine.yaml"), "upstream: echo\nlimits:\n  - {name: a, limit: 1, window: 1s}\n");
    Result check = run(List.of("check", "mine.yaml"));
    assertThat(check.status).as(check.err).isZero();
    assertThat(check.out).startsWith("mine.yaml: valid\n");

    Result missing = run(List.of("check", "nothere.yaml"));
    assertThat(missing.status).isEqualTo(2);
    assertThat(missing.err).isEqualTo("nothere.yaml:1:1: cannot read the file: no such file\n1 error in nothere.yaml\n");
  }

  @Test
  void serveAnswersFromTheArchiveAndStopsCleanlyOnSigterm() throws Exception {
    int port;
    int adminPort;
    try (ServerSocket s = new ServerSocket(0); ServerSocket a = new ServerSocket(0)) {
      port = s.getLocalPort();
      adminPort = a.getLocalPort();
    }
    Files.writeString(work.resolve("serve.yaml"), "listen: 127.0.0.1:" + port + "\nadmin: {listen: 127.0.0.1:" + adminPort
        + "}\nupstream: echo\n"
        + "limits:\n  - {name: per-ip, key: [client-ip], limit: 2, window: 1h}\n");
    ProcessBuilder pb = new ProcessBuilder(linked.toString(), "serve", "--config=serve.yaml").directory(work.toFile())
        .redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    try {
      var console = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      StringBuilder said = new StringBuilder();
      String line;
      do {
        line = console.readLine();
        said.append(line).append('\n');
      } while (line != null && !line.contains("tollgate: listening on"));
      assertThat(line).as(said.toString()).endsWith("listening on http://127.0.0.1:" + port
          + ", policy serve.yaml (0 routes, 1 limits), upstream echo, store memory");
      HttpClient http = HttpClient.newHttpClient();
      int[] statuses = new int[3];
      for (int i = 0; i < 3; i++) {
        statuses[i] = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode();
      }
      assertThat(statuses).containsExactly(200, 200, 429);
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("tollgate_requests_total{decision=\"refused\",route=\"default\"} 1.0");
      assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()).isZero();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  private record Result(int status, String out, String err) {}

  private static Result run(List<String> args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(linked.toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out, err);
  }
}
