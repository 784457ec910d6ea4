package io.tollgate.server;

import io.tollgate.config.PolicyFile;
import io.tollgate.config.Settings;
import io.tollgate.envoy.RlsLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the process does with a file's {@code envoy-rls:} block beside its own policy. */
final class EnvoyRls {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private EnvoyRls() {}

  /** The Envoy configuration's limits, named apart from the policy's own. */
  static RlsLimits limits(PolicyFile f, Settings settings) {
    Set<String> taken = new HashSet<>();
    f.policy().limits().forEach(l -> taken.add(l.name()));
    return RlsLimits.of(f.rls(), settings.envoyRls().headers(), taken);
  }

  /** The files a watch reloads on: the policy file, and the Envoy configuration it names. */
  static List<Path> watched(Path path, PolicyFile f) {
    List<Path> out = new ArrayList<>(List.of(path));
    if (f.settings().envoyRls() != null) {
      out.add(f.settings().envoyRls().config());
    }
    return out;
  }

  /** {@code 1 Envoy domains, 5 rules}: for the start line and the reload's. */
  static String describe(io.tollgate.config.envoy.RlsConfig config) {
    return config.domains().size() + " Envoy domains, " + config.rules().size() + " rules";
  }

  /** Says once which keys of the Envoy configuration were read and mean nothing here. */
  static void warnIgnoredKeys(PolicyFile f) {
    if (!f.rls().ignoredKeys().isEmpty()) {
      log.info("{}: {} read and not used by Tollgate (they tune envoyproxy/ratelimit's own stats, caches and quota "
          + "mode)", f.settings().envoyRls().config(), String.join(", ", f.rls().ignoredKeys()));
    }
  }
}
