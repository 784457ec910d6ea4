package io.tollgate.client;

import java.io.IOException;
import java.time.Instant;

/** A call that would have to wait longer than allowed: it says when to try again. */
public final class RetryLaterException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Instant retryAt;

  RetryLaterException(String message, Instant retryAt) {
    super(message + " (try again at " + retryAt + ")");
    this.retryAt = retryAt;
  }

  /** When the server's limit allows the call again, on this client's clock. */
  public Instant retryAt() {
    return retryAt;
  }
}
