package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpResponse;
import io.tollgate.core.HttpAnswer;
import io.tollgate.core.RateLimiter;

/**
 * {@code GET <status-endpoint>}: the caller's own counters, one entry per limit and route, in JSON,
 * or XML for {@code Accept: application/xml} or {@code ?format=xml}. Counts nothing, refuses nothing.
 */
final class StatusEndpoint {

  private final String path;
  private final RateLimiter limiter;

  StatusEndpoint(String path, RateLimiter limiter) {
    this.path = path;
    this.limiter = limiter;
  }

  String path() {
    return path;
  }

  HttpResponse serve(ArmeriaRequestInfo info) {
    return Answers.of(HttpAnswer.statusView(limiter, info));
  }
}
