package io.tollgate.gateway;

/**
 * Told of every response of the upstream the gateway passed on (refusals and the status view are
 * not), once it is complete: for metrics. Called on an event loop; must be quick and must not throw.
 */
@FunctionalInterface
public interface UpstreamListener {

  /**
   * @param route the route the request belonged to
   * @param status the response's status; 0 when it never completed (the client went away)
   * @param madeHere whether the gateway made it (502, 504: the upstream failed or was late)
   * @param nanos from the decision's end to the response's
   */
  void answered(String route, int status, boolean madeHere, long nanos);
}
