package io.tollgate.client;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * What is sent again, and after how long: 429, 509 and 503 always (the response proves the request
 * was not processed, so POST and PATCH too); the statuses the client adds only for idempotent
 * requests or those with an {@code Idempotency-Key}; at most {@code maxAttempts} in all. Immutable.
 */
final class Retries {

  private static final Set<Integer> NOT_PROCESSED = Set.of(429, 509, 503);
  private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  private final int maxAttempts;
  private final Backoff backoff;
  private final Set<Integer> retryOn;

  Retries(int maxAttempts, Backoff backoff, Set<Integer> retryOn) {
    this.maxAttempts = maxAttempts;
    this.backoff = backoff;
    this.retryOn = Set.copyOf(retryOn);
  }

  int maxAttempts() {
    return maxAttempts;
  }

  boolean retryable(HttpRequest request, int status) {
    if (NOT_PROCESSED.contains(status)) {
      return true;
    }
    return retryOn.contains(status)
        && (IDEMPOTENT.contains(request.method()) || request.headers().firstValue("Idempotency-Key").isPresent());
  }

  /** The wait before attempt {@code attempt + 1}: the server's, or the backoff's. */
  Duration delay(int attempt, Optional<Duration> serverWait) {
    return backoff.delay(attempt, serverWait);
  }
}
