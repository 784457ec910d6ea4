package io.tollgate.gateway;

import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.common.TlsProvider;
import io.tollgate.config.Settings;
import java.io.File;

/**
 * HTTPS on the listener from the PEM files of {@code tls:}, re-read on {@link #reload}: new
 * connections get the new certificate (rotation), those open keep theirs. Thread-safe.
 */
public final class Tls implements TlsProvider {

  private volatile TlsKeyPair keyPair;

  /** @throws GatewayServer.GatewayStartException when the files are not a PEM certificate and key */
  public Tls(Settings.Tls files) {
    this.keyPair = read(files);
  }

  /** Reads the files again; on a failure the key pair in use stays. Returns whether they changed. */
  public boolean reload(Settings.Tls files) {
    TlsKeyPair next = read(files);
    boolean changed = !next.equals(keyPair);
    keyPair = next;
    return changed;
  }

  @Override
  public TlsKeyPair keyPair(String hostname) {
    return keyPair;
  }

  private static TlsKeyPair read(Settings.Tls tls) {
    File cert = tls.cert().toFile();
    File key = tls.key().toFile();
    try {
      return TlsKeyPair.of(key, cert);
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
