package io.tollgate.spring;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import java.util.stream.Collectors;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A start stopped by a bad policy file says where, as {@code tollgate check} does. */
public class TollgateFailureAnalyzer extends AbstractFailureAnalyzer<PolicyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, PolicyException cause) {
    String errors = cause.errors().stream().map(PolicyError::toString).collect(Collectors.joining("\n  "));
    return new FailureAnalysis("The Tollgate policy file (tollgate.policy) has " + cause.errors().size() + " error"
        + (cause.errors().size() == 1 ? "" : "s") + ":\n  " + errors,
        "Fix the policy file at the positions above (`tollgate check FILE` prints the same), then start again.", cause);
  }
}
