package io.tollgate.gateway;

/**
 * Told of every request the gateway answered, once its response is complete: for the access log.
 * Called on an event loop; must not block or throw.
 */
@FunctionalInterface
public interface AccessLogger {

  /** One request, as the access log writes it. */
  record Entry(long epochMillis, String clientIp, String method, String path, int status, String route,
      String decision, String limit, long remaining, double durationMs, double upstreamMs) {}

  /** @param entry the request; {@code limit} and {@code remaining} (-1) absent when no limit applied */
  void log(Entry entry);
}
