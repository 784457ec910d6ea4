package io.tollgate.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.config.PolicyException;
import io.tollgate.redis.RedisServer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two applications (two Jetty servers), each with {@link TollgateFilter#fromPolicyFile} on the same
 * policy file naming one real Redis: one count across both. A bad file stops the filter with its
 * errors at file:line:col.
 */
class RedisFilterTest {

  @TempDir
  Path dir;

  static Server app(TollgateFilter filter) throws Exception {
    Server jetty = new Server();
    ServerConnector connector = new ServerConnector(jetty);
    connector.setHost("127.0.0.1");
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.getWriter().write("ok");
      }
    }), "/*");
    jetty.setHandler(context);
    jetty.start();
    return jetty;
  }

  static int port(Server jetty) {
    return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
  }

  @Test
  void twoApplicationsOnOneRedisCountOneLimit() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      Path policy = Files.writeString(dir.resolve("tollgate.yaml"), "store: " + redis.uri()
          + "\nredis: {timeout: 500ms, on-failure: deny}\nlimits:\n  - {name: per-ip, key: [client-ip], limit: 5, "
          + "window: 1h}\n");
      TollgateFilter a = TollgateFilter.fromPolicyFile(policy);
      TollgateFilter b = TollgateFilter.fromPolicyFile(policy);
      Server one = app(a);
      Server two = app(b);
      try {
        HttpClient http = HttpClient.newHttpClient();
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
          int port = port(i % 2 == 0 ? one : two);
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
              HttpResponse.BodyHandlers.ofString());
          seen.add(r.statusCode() + ":" + r.headers().firstValue("X-RateLimit-Remaining").orElse("-"));
        }
        assertThat(seen).containsExactly("200:4", "200:3", "200:2", "200:1", "200:0", "429:0", "429:0");
      } finally {
        one.stop();
        two.stop();
      }
    }
  }

  @Test
  void aBadPolicyFileStopsTheFilterWithItsErrors() throws Exception {
    Path policy = Files.writeString(dir.resolve("bad.yaml"), "limits:\n  - {name: a, limit: 1, window: 1x}\n");
    assertThatThrownBy(() -> TollgateFilter.fromPolicyFile(policy)).isInstanceOf(PolicyException.class)
        .hasMessageContaining(policy + ":2:33: window: bad duration '1x'");
  }

  @Test
  void theServersSettingsAreNamedAsIgnored() throws Exception {
    io.tollgate.config.PolicyFile f = io.tollgate.config.PolicyLoader.parse("listen: 9000\nupstream: echo\n"
        + "admin: {listen: off}\ncheck: {listen: 8082}\nlimits: [{name: a, limit: 1, window: 1s}]\n", "t.yaml",
        java.util.Map.of());
    assertThat(f.settings().serverOnly()).containsExactly("listen", "upstream", "admin", "check");
    io.tollgate.config.PolicyFile plain = io.tollgate.config.PolicyLoader.parse(
        "limits: [{name: a, limit: 1, window: 1s}]\n", "t.yaml", java.util.Map.of());
    assertThat(plain.settings().serverOnly()).isEmpty();
  }
}
