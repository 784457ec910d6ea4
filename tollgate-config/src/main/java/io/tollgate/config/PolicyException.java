package io.tollgate.config;

import java.util.List;
import java.util.stream.Collectors;

/** A policy file has errors: all of them, each at its file:line:col. Nothing of the file was applied. */
public final class PolicyException extends Exception {

  private final List<PolicyError> errors;

  public PolicyException(List<PolicyError> errors) {
    super(errors.stream().map(PolicyError::toString).collect(Collectors.joining("\n")));
    this.errors = List.copyOf(errors);
  }

  /** Every error found, in file order. */
  public List<PolicyError> errors() {
    return errors;
  }
}
