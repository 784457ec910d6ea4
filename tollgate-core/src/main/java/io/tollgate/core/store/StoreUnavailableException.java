package io.tollgate.core.store;

/** A store could not answer in time (a remote store is down or slow). The decision falls back per policy. */
public final class StoreUnavailableException extends RuntimeException {

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
