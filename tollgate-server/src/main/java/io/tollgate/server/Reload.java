package io.tollgate.server;

import io.tollgate.config.PolicyError;
import java.util.List;

/**
 * What one reload did.
 *
 * @param result reloaded, unchanged (the same bytes) or rejected (nothing applied)
 * @param sha256 the file's hash: the new one when reloaded, the one in effect otherwise
 * @param errors why it was rejected, each at {@code file:line:col}
 * @param restartNeeded settings that changed but apply only at a restart ({@code listen},
 *     {@code store}, {@code tls} turned on or off); the rest was applied
 */
public record Reload(Result result, String sha256, List<PolicyError> errors, List<String> restartNeeded) {

  public Reload {
    errors = List.copyOf(errors);
    restartNeeded = List.copyOf(restartNeeded);
  }

  /** The kinds of outcome. */
  public enum Result {
    RELOADED, UNCHANGED, REJECTED;

    /** {@code reloaded}, {@code unchanged}, {@code rejected}. */
    public String text() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
