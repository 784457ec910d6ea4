package io.tollgate.core;

import java.util.List;
import java.util.Objects;

/**
 * What a refused request gets: a status, the header sets, a content type and a body template. A
 * limit's own refusal block overrides the policy's field by field: a {@code null} field means "not
 * set here".
 *
 * <p>Immutable and thread-safe.
 */
public final class Refusal {

  /** The default body: the One Stack shape, with the limit's figures filled in. */
  public static final String DEFAULT_BODY = "{\"error\":\"Rate limit exceeded\",\"code\":\"RATE_LIMIT_EXCEEDED\","
      + "\"details\":{\"limit\":${limit},\"window\":\"${window}\",\"retryAfter\":${retry-after}}}";

  private static final Refusal DEFAULTS = new Refusal(429,
      List.of(HeaderSet.X_RATELIMIT, HeaderSet.RETRY_AFTER, HeaderSet.RATELIMIT), "application/json", DEFAULT_BODY);

  private static final Refusal EMPTY = new Refusal(null, null, null, null);

  private final Integer status;
  private final List<HeaderSet> headers;
  private final String contentType;
  private final String body;

  private Refusal(Integer status, List<HeaderSet> headers, String contentType, String body) {
    if (status != null && (status < 400 || status > 599)) {
      throw new IllegalArgumentException("status must be in 400..599 (was " + status + ")");
    }
    this.status = status;
    this.headers = headers == null ? null : List.copyOf(headers);
    this.contentType = contentType;
    this.body = body;
  }

  /** 429, headers {@code [x-ratelimit, retry-after, ratelimit]}, JSON body {@link #DEFAULT_BODY}. */
  public static Refusal defaults() {
    return DEFAULTS;
  }

  /** A block with no field set, to override nothing. */
  public static Refusal empty() {
    return EMPTY;
  }

  /** A copy with the status set; {@code status} in 400..599. */
  public Refusal withStatus(int status) {
    return new Refusal(status, headers, contentType, body);
  }

  /** A copy with the header sets set. */
  public Refusal withHeaders(List<HeaderSet> headers) {
    return new Refusal(status, Objects.requireNonNull(headers, "headers"), contentType, body);
  }

  /** A copy with the content type set. */
  public Refusal withContentType(String contentType) {
    return new Refusal(status, headers, Objects.requireNonNull(contentType, "contentType"), body);
  }

  /** A copy with the body template set (see docs/http-behaviour.md for the placeholders). */
  public Refusal withBody(String body) {
    return new Refusal(status, headers, contentType, Objects.requireNonNull(body, "body"));
  }

  /** This block with every field that {@code override} sets replaced by the override's. */
  public Refusal overriddenBy(Refusal override) {
    if (override == null) {
      return this;
    }
    return new Refusal(
        override.status != null ? override.status : status,
        override.headers != null ? override.headers : headers,
        override.contentType != null ? override.contentType : contentType,
        override.body != null ? override.body : body);
  }

  /** The status, or {@code null} when not set in this block. */
  public Integer status() {
    return status;
  }

  /** The header sets, or {@code null} when not set in this block. */
  public List<HeaderSet> headers() {
    return headers;
  }

  /** The content type, or {@code null} when not set in this block. */
  public String contentType() {
    return contentType;
  }

  /** The body template, or {@code null} when not set in this block. */
  public String body() {
    return body;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Refusal)) {
      return false;
    }
    Refusal r = (Refusal) o;
    return Objects.equals(status, r.status) && Objects.equals(headers, r.headers)
        && Objects.equals(contentType, r.contentType) && Objects.equals(body, r.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, headers, contentType, body);
  }

  @Override
  public String toString() {
    return "Refusal{status=" + status + ", headers=" + headers + ", contentType=" + contentType + "}";
  }
}
