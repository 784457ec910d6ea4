package io.tollgate.gateway;

import com.linecorp.armeria.server.ServerBuilder;
import io.tollgate.config.Settings;
import java.io.File;

/** HTTPS on the listener from the PEM files of {@code tls:}. */
final class Tls {

  private Tls() {}

  static void configure(ServerBuilder sb, Settings.Tls tls) {
    File cert = tls.cert().toFile();
    File key = tls.key().toFile();
    try {
      sb.tls(cert, key);
    } catch (RuntimeException e) {
      throw new GatewayServer.GatewayStartException("cannot use the TLS certificate " + cert + " and key " + key
          + ": " + rootMessage(e) + " (PEM certificate chain, PEM PKCS#8 private key)", e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }
}
