package io.tollgate.core;

import java.util.List;

/**
 * What a limiter would decide for a request, worked out without moving a counter: for an operator
 * asking "why was this caller refused?". Immutable.
 *
 * @param decision what would be decided: the route, every limit that would apply with its
 *     remaining units and reset (in {@link Decision#applied()}), and whether the request would be
 *     allowed. It settles nothing.
 * @param keys each applied limit's key for this request, as text ({@code client-ip=203.0.113.7,
 *     path=/a}), in the order of {@code decision.applied()}
 */
public record Explanation(Decision decision, List<String> keys) {

  public Explanation {
    keys = List.copyOf(keys);
  }
}
