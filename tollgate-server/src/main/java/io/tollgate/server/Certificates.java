package io.tollgate.server;

import io.tollgate.config.Settings;
import io.tollgate.gateway.GatewayServer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificate rotation: at every reload, even of an unchanged policy, each door serving TLS reads
 * the files again; new connections get the new pair, and files that cannot be used leave the pair
 * in use (a warning says why).
 */
final class Certificates {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  /** A door serving TLS: reads the files again, says whether they changed. */
  interface Door {
    boolean reloadTls(Settings.Tls files);
  }

  private Certificates() {}

  /** Has each door read {@code tls} again; nothing without TLS. */
  static void reread(Settings.Tls tls, List<Door> doors) {
    if (tls == null) {
      return;
    }
    for (Door door : doors) {
      try {
        if (door.reloadTls(tls)) {
          log.info("TLS certificate {} re-read: new connections get the new one", tls.cert());
        }
      } catch (GatewayServer.GatewayStartException e) {
        log.warn("{}; the certificate in use stays", e.getMessage());
      }
    }
  }
}
