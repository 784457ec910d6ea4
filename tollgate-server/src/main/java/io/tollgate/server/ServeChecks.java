package io.tollgate.server;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyFile;
import java.util.ArrayList;
import java.util.List;

/** What serving a file needs beyond its being valid: an upstream for the gateway. */
public final class ServeChecks {

  private ServeChecks() {}

  /** The problems that stop {@code file} from being served, each at a position; empty when none. */
  public static List<PolicyError> problems(PolicyFile file) {
    List<PolicyError> errors = new ArrayList<>();
    if (file.settings().upstream() == null) {
      errors.add(new PolicyError(file.source(), 1, 1, "no 'upstream': the gateway needs the base URL allowed requests "
          + "go to (upstream: http://host:port), or 'echo' for the built-in echo upstream"));
    }
    return errors;
  }
}
