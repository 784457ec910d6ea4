package io.tollgate.server;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for localhost and 127.0.0.1, made by the JDK's own keytool and written
 * as the PEM files {@code tls:} takes (certificate, PKCS#8 key), with an SSLContext that trusts it.
 */
final class SelfSigned {

  private static final char[] PASSWORD = "changeit".toCharArray();

  final Path cert;
  final Path key;
  final SSLContext trusting;

  private SelfSigned(Path cert, Path key, SSLContext trusting) {
    this.cert = cert;
    this.key = key;
    this.trusting = trusting;
  }

  static SelfSigned make(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path store = dir.resolve("made.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "tollgate", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
        .redirectErrorStream(true).start();
    String said = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + said);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASSWORD);
    }
    Certificate certificate = ks.getCertificate("tollgate");
    Path cert = Files.writeString(dir.resolve("tollgate.pem"), pem("CERTIFICATE", certificate.getEncoded()));
    Path key = Files.writeString(dir.resolve("tollgate.key"),
        pem("PRIVATE KEY", ks.getKey("tollgate", PASSWORD).getEncoded())); // PKCS#8
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("tollgate", certificate);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return new SelfSigned(cert, key, ctx);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
