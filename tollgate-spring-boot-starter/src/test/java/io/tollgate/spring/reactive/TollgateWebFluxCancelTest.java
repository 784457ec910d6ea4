package io.tollgate.spring.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import io.tollgate.redis.RedisServer;
import io.tollgate.spring.RunningApp;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.embedded.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A client that goes away while its request is still being decided on Redis (Redis paused for writes,
 * so the decision's script waits there): the decision that arrives afterwards is given back, not
 * left holding a concurrency slot until its lease runs out, and the application never sees the request.
 */
class TollgateWebFluxCancelTest extends RunningApp {

  static final AtomicInteger closedConnections = new AtomicInteger();
  static RedisServer redis;

  /** Counts the connections Reactor Netty has closed. */
  @Configuration(proxyBeanMethods = false)
  static class ConnectionsSeen {
    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> countClosedConnections() {
      return factory -> factory.addServerCustomizers(
          server -> server.doOnConnection(c -> c.onDispose(closedConnections::incrementAndGet)));
    }
  }

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    RedisServer.requireBinary();
    redis = RedisServer.start();
    Path policy = dir.resolve("tollgate.yaml");
    Files.writeString(policy, "store: " + redis.uri() + "\n"
        + "redis: {timeout: 30s}   # a paused Redis is waited for, not decided around\n"
        + "limits:\n  - {name: jobs, paths: [/jobs], concurrency: 1}\n");
    SpringApplication app = new SpringApplication(WebFluxBehaviour.ReactiveDemo.class, ConnectionsSeen.class);
    use(app.run("--server.port=0", "--server.address=127.0.0.1", "--spring.main.web-application-type=reactive",
        "--tollgate.policy=file:" + policy, "--spring.main.banner-mode=off", "--server.shutdown=immediate"));
  }

  @AfterAll
  static void stopRedis() throws Exception {
    stopAppThen(redis);
  }

  @Test
  void aDecisionTheClientStoppedWaitingForIsGivenBack() throws Exception {
    RateLimiter limiter = app.getBean(TollgateWebFilter.class).limiter();
    assertThat(redis.command("CLIENT PAUSE 30000 WRITE")).isEqualTo("+OK");
    int closedBefore = closedConnections.get();
    try (Socket s = new Socket("127.0.0.1", URI.create(base).getPort())) {
      OutputStream out = s.getOutputStream();
      out.write("GET /jobs HTTP/1.1\r\nHost: t\r\nX-Job: late\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await(() -> blockedInRedis() > 0, "the decision's script to wait in the paused Redis");
    }
    await(() -> closedConnections.get() > closedBefore, "the server to see the client go");
    assertThat(redis.command("CLIENT UNPAUSE")).isEqualTo("+OK");
    await(() -> blockedInRedis() == 0, "the script to run");
    await(() -> limiter.status(RequestInfo.builder().path("/jobs").build()).stream()
        .anyMatch(st -> st.name().equals("jobs") && st.remaining() == 1), "the slot back");
    assertThat(WebFluxBehaviour.jobs).as("the application never saw the request").doesNotContainKey("late");
    assertThat(send("GET", "/actuator/health").statusCode()).isEqualTo(200);
  }

  private static int blockedInRedis() {
    try {
      return redis.cli("INFO", "clients").lines().filter(l -> l.startsWith("blocked_clients:"))
          .mapToInt(l -> Integer.parseInt(l.substring(16).trim())).findFirst().orElse(-1);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
