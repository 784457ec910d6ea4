package io.tollgate.benchmarks;

import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.Route;

/**
 * The decision the in-process benchmarks share: an HTTP request on a route of two (S360's contact
 * service) matching two limits, per route and client IP and per client IP, set so high that nothing
 * is ever refused (every call takes the full path).
 */
final class TwoLimits {

  static final long NEVER = 1_000_000_000_000L;
  static final String PATH = "/tnseb/v2/contact/42/notes";
  static final String CLIENT = "203.0.113.7";

  private TwoLimits() {}

  /** The routes, and the two limits; with {@code perEndpoint} false, only the per-IP one. */
  static Policy policy(boolean perEndpoint) {
    Policy.Builder p = Policy.builder()
        .route(Route.of("contact", "/tnseb/v1/contact/**", "/tnseb/v2/contact/**"))
        .route(Route.of("catalog", "/tnseb/v1/catalog/**"));
    if (perEndpoint) {
      p.limit(Limit.builder("per-endpoint").key("route", "client-ip").limit(NEVER).window("1m").build());
    }
    return p.limit(Limit.builder("per-ip").key("client-ip").limit(NEVER).window("1h").build()).build();
  }

  static RequestInfo request() {
    return RequestInfo.builder().method("GET").path(PATH).clientIp(CLIENT).build();
  }
}
