package io.tollgate.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one response said about the server's limit, whatever dialect it spoke: how many units the
 * limit allows, how many remain, when it resets, how long to wait before trying again, and which
 * policy it is. Every part is optional: servers send some, all or none. Times are on this client's
 * clock (a server's epoch reset is corrected by the skew its Date header shows).
 *
 * <p>Immutable.
 */
public final class ServerLimit {

  private final OptionalLong limit;
  private final OptionalLong remaining;
  private final Instant resetAt;
  private final Duration retryAfter;
  private final String policy;
  private final String partitionKey;
  private final Duration window;
  private final String quotaUnit;

  ServerLimit(OptionalLong limit, OptionalLong remaining, Instant resetAt, Duration retryAfter, String policy,
      String partitionKey, Duration window, String quotaUnit) {
    this.limit = Objects.requireNonNull(limit);
    this.remaining = Objects.requireNonNull(remaining);
    this.resetAt = resetAt;
    this.retryAfter = retryAfter;
    this.policy = policy;
    this.partitionKey = partitionKey;
    this.window = window;
    this.quotaUnit = quotaUnit;
  }

  /** Units per window (X-RateLimit-Limit, RateLimit-Limit, the IETF policy's {@code q}). */
  public OptionalLong limit() {
    return limit;
  }

  /** Units left (X-RateLimit-Remaining, RateLimit-Remaining, the IETF field's {@code r}). */
  public OptionalLong remaining() {
    return remaining;
  }

  /** When the remaining units are whole again, on this client's clock. */
  public Optional<Instant> resetAt() {
    return Optional.ofNullable(resetAt);
  }

  /** How long the server asked to wait (Retry-After, X-Ratelimit-Retry-After). */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  /** The policy's name (the IETF fields' item). */
  public Optional<String> policy() {
    return Optional.ofNullable(policy);
  }

  /** The IETF partition key ({@code pk}), as the server encoded it (base64), when sent. */
  public Optional<String> partitionKey() {
    return Optional.ofNullable(partitionKey);
  }

  /** The policy's window (the IETF policy's {@code w}). */
  public Optional<Duration> window() {
    return Optional.ofNullable(window);
  }

  /** What the quota counts (the IETF policy's {@code qu}: requests, content-bytes, concurrent-requests). */
  public Optional<String> quotaUnit() {
    return Optional.ofNullable(quotaUnit);
  }

  /** Whether the response said anything about a limit. */
  public boolean isEmpty() {
    return limit.isEmpty() && remaining.isEmpty() && resetAt == null && retryAfter == null && policy == null;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("ServerLimit{");
    if (policy != null) {
      b.append("policy=").append(policy).append(' ');
    }
    limit.ifPresent(v -> b.append("limit=").append(v).append(' '));
    remaining.ifPresent(v -> b.append("remaining=").append(v).append(' '));
    if (resetAt != null) {
      b.append("resetAt=").append(resetAt).append(' ');
    }
    if (retryAfter != null) {
      b.append("retryAfter=").append(retryAfter).append(' ');
    }
    if (window != null) {
      b.append("window=").append(window).append(' ');
    }
    return b.toString().trim() + "}";
  }
}
