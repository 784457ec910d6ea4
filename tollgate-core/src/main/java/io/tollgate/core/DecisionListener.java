package io.tollgate.core;

/**
 * Told of every decision a limiter makes for a request or a keyed acquire (not of status views):
 * for metrics. Called on the thread that decided, after the decision is made; must be quick and
 * must not throw. A limiter built without one reads no extra clock and calls nothing.
 */
@FunctionalInterface
public interface DecisionListener {

  /**
   * @param decision what was decided
   * @param nanos how long deciding took, the store's part included
   */
  void decided(Decision decision, long nanos);
}
