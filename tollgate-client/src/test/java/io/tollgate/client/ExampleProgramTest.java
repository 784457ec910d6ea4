package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyLoader;
import io.tollgate.server.TollgateServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * examples/client/PullPages.java, as docs/client.md runs it (java's source launcher, the client's
 * classes on the class path), against a real gateway on examples/platform-api.yaml in real time.
 */
class ExampleProgramTest {

  @Test
  void pullPagesGetsThroughFivePerSecondWithoutARefusalAndSaysSo() throws Exception {
    Path policy = Path.of("..", "examples", "platform-api.yaml");
    try (TollgateServer gateway = TollgateServer.start(
        PolicyLoader.parse(Files.readString(policy), policy.toString(), Map.of("TOLLGATE_LISTEN", "0", "TOLLGATE_ADMIN", "off")))) {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", Path.of("target", "classes").toString(), Path.of("..", "examples", "client", "PullPages.java").toString(),
          "http://127.0.0.1:" + gateway.port() + "/catalog/items", "12")
          .redirectErrorStream(true).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).contains("12 pages in").contains(": 0 refusals,").contains("waited");
    }
  }
}
