package io.tollgate.gateway;

/**
 * Told of every response of the upstream the gateway passed on (refusals and the status view are
 * not), once it is complete: for metrics. Called on an event loop; must be quick and must not throw.
 */
@FunctionalInterface
public interface UpstreamListener {

  /**
   * @param route the route the request belonged to
   * @param code {@code 2xx}, {@code 3xx}, {@code 4xx} or {@code 5xx} for what the upstream answered;
   *     {@code 502} or {@code 504} when the gateway answered for an upstream that failed or was
   *     late; {@code aborted} when the response never completed (the client went away)
   * @param nanos from the decision's end to the response's
   */
  void answered(String route, String code, long nanos);
}
