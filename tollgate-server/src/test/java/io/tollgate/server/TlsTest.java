package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.config.PolicyLoader;
import io.tollgate.gateway.GatewayServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS on the listener from PEM files named relative to the policy file: a real handshake, h2 by ALPN. */
class TlsTest {

  @TempDir
  static Path dir;
  static SelfSigned certificate;
  static TollgateServer server;

  @BeforeAll
  static void start() throws Exception {
    certificate = SelfSigned.make(dir.resolve("certs"));
    Path policy = Files.writeString(dir.resolve("tls.yaml"), "listen: 127.0.0.1:0\nadmin: {listen: off}\nupstream: echo\n"
        + "tls: {cert: certs/tollgate.pem, key: certs/tollgate.key}\n"
        + "limits:\n  - {name: per-ip, key: [client-ip], limit: 100, window: 1h}\n");
    server = TollgateServer.start(PolicyLoader.load(policy));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private HttpResponse<String> get(HttpClient.Version version, String scheme) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().sslContext(certificate.trusting).version(version).build();
    return http.send(HttpRequest.newBuilder(URI.create(scheme + "://localhost:" + server.port() + "/hello")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void http2IsNegotiatedByAlpnAndTheLimitsApply() throws Exception {
    assertThat(server.describe()).startsWith("listening on https://127.0.0.1:" + server.port() + ", policy ");
    HttpResponse<String> r = get(HttpClient.Version.HTTP_2, "https");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(r.headers().firstValue("x-ratelimit-limit")).hasValue("100");
    assertThat(r.body()).contains("\"path\":\"/hello\"");
  }

  @Test
  void http11ClientsAreServedToo() throws Exception {
    HttpResponse<String> r = get(HttpClient.Version.HTTP_1_1, "https");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
  }

  @Test
  void requestHeadsAreCheckedBehindTlsToo() throws Exception {
    for (String version : new String[] {"HTTP/9.9", "HTTP/1.1"}) {
      try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) certificate.trusting.getSocketFactory()
          .createSocket("localhost", server.port())) {
        s.setSoTimeout(5_000);
        javax.net.ssl.SSLParameters p = s.getSSLParameters();
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.getOutputStream().write(("GET /hello " + version + "\r\nHost: x\r\n\r\n").getBytes(
            java.nio.charset.StandardCharsets.ISO_8859_1));
        StringBuilder first = new StringBuilder();
        for (int b = s.getInputStream().read(); b != -1 && b != '\n'; b = s.getInputStream().read()) {
          first.append((char) b);
        }
        assertThat(first.toString().trim()).as(version)
            .isEqualTo(version.equals("HTTP/1.1") ? "HTTP/1.1 200 OK" : "HTTP/1.1 400 Bad Request");
      }
    }
  }

  @Test
  void cleartextIsNotServedOnATlsListener() {
    assertThatThrownBy(() -> get(HttpClient.Version.HTTP_1_1, "http")).isInstanceOf(IOException.class);
  }

  @Test
  void filesThatAreNotPemStopTheStartWithAMessageNamingThem() throws Exception {
    Files.writeString(dir.resolve("bad.key"), "not a key\n");
    Path policy = Files.writeString(dir.resolve("bad.yaml"), "listen: 127.0.0.1:0\nadmin: {listen: off}\nupstream: echo\n"
        + "tls: {cert: certs/tollgate.pem, key: bad.key}\nlimits:\n  - {name: a, limit: 1, window: 1s}\n");
    assertThatThrownBy(() -> TollgateServer.start(PolicyLoader.load(policy)).close())
        .isInstanceOf(GatewayServer.GatewayStartException.class)
        .hasMessageStartingWith("cannot use the TLS certificate " + dir.resolve("certs/tollgate.pem") + " and key "
            + dir.resolve("bad.key") + ": ");
  }

  @Test
  void aReloadRereadsARotatedCertificateForNewConnections(@TempDir Path own) throws Exception {
    SelfSigned before = SelfSigned.make(own.resolve("certs"));
    SelfSigned after = SelfSigned.make(own.resolve("next"));
    Path policy = Files.writeString(own.resolve("tls.yaml"), "listen: 127.0.0.1:0\nadmin: {listen: off}\nupstream: echo\nreload: manual\n"
        + "tls: {cert: certs/tollgate.pem, key: certs/tollgate.key}\nlimits:\n  - {name: a, limit: 100, window: 1h}\n");
    try (TollgateServer rotating = TollgateServer.start(policy, PolicyLoader.load(policy), io.tollgate.core.Clock.system())) {
      URI uri = URI.create("https://localhost:" + rotating.port() + "/");
      HttpRequest get = HttpRequest.newBuilder(uri).build();
      assertThat(HttpClient.newBuilder().sslContext(before.trusting).build()
          .send(get, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
      Files.copy(after.cert, before.cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(after.key, before.key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThat(rotating.reload().result()).as("the policy's own bytes are the same").isEqualTo(Reload.Result.UNCHANGED);
      assertThat(HttpClient.newBuilder().sslContext(after.trusting).build()
          .send(get, HttpResponse.BodyHandlers.discarding()).statusCode()).as("a new connection, the new certificate")
          .isEqualTo(200);
      assertThatThrownBy(() -> HttpClient.newBuilder().sslContext(before.trusting).build()
          .send(get, HttpResponse.BodyHandlers.discarding())).isInstanceOf(IOException.class);
    }
  }
}
