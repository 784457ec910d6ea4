package io.tollgate.server;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyFile;
import java.util.ArrayList;
import java.util.List;

/**
 * What serving a file needs beyond its being valid: an upstream for the gateway, or a {@code check:}
 * or {@code envoy-rls:} block for the decision services alone; and, beside a check, no concurrency limit (the check never
 * sees a request's end, so its slots would never be released).
 */
public final class ServeChecks {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("tollgate");

  private ServeChecks() {}

  /** Says at start (and reload) that the check endpoint counts what {@code uncounted-statuses} would not. */
  static void warnUncountedStatuses(PolicyFile f) {
    for (io.tollgate.core.Limit l : f.policy().limits()) {
      if (!l.uncountedStatuses().isEmpty()) {
        log.warn("limit '{}' has uncounted-statuses, which the check endpoint cannot apply (it never sees the "
            + "upstream's answer): every request it allows is counted", l.name());
      }
    }
  }

  /** The problems that stop {@code file} from being served, each at a position; empty when none. */
  public static List<PolicyError> problems(PolicyFile file) {
    List<PolicyError> errors = new ArrayList<>();
    if (file.settings().upstream() == null && file.settings().check() == null && file.settings().envoyRls() == null) {
      errors.add(new PolicyError(file.source(), 1, 1, "no 'upstream': the gateway needs the base URL allowed requests "
          + "go to (upstream: http://host:port), or 'echo' for the built-in echo upstream; a file with a 'check:' "
          + "or 'envoy-rls:' block and no upstream runs those decision services alone"));
    }
    if (file.settings().check() != null) {
      for (io.tollgate.core.Limit l : file.policy().limits()) {
        if (l.algorithm() == io.tollgate.core.Algorithm.CONCURRENCY) {
          errors.add(new PolicyError(file.source(), 1, 1, "limit '" + l.name() + "' is a concurrency limit, and the "
              + "check endpoint never sees a request's end (its slots would never be released): serve it through the "
              + "gateway in a policy file without 'check:'"));
        }
      }
    }
    return errors;
  }
}
