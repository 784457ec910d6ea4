package io.tollgate.core.internal;

import io.tollgate.core.Decision;
import io.tollgate.core.Limit;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Refusal;

/**
 * How the limiter makes {@link Decision} and {@link LimitStatus} values, whose constructors are not
 * public: the public package hands this package a {@link Factory} when {@code Decision} is
 * initialised (the "shared secrets" pattern of the JDK and OkHttp's {@code Internal}). Not API.
 */
public final class Results {

  private static volatile Factory factory;

  private Results() {}

  /** What {@code io.tollgate.core} lets the limiter make. */
  public interface Factory {
    Decision decision(Decision.Outcome outcome, String route, String pattern, Limit[] limits, long[] values,
        int reported, Refusal refusal, Decision.Settlement settlement);

    Decision unlimited(Decision.Outcome outcome, String route);

    LimitStatus status(Limit limit, String route, String pattern, long remaining, long resetAtMillis,
        long retryAfterMillis, boolean fits);
  }

  /** Called once, by {@code Decision}'s initialiser. */
  public static void install(Factory f) {
    if (factory != null) {
      throw new IllegalStateException("installed already");
    }
    factory = f;
  }

  /** The factory, {@code Decision} initialised first if it was not. */
  public static Factory factory() {
    Factory f = factory;
    if (f == null) {
      try {
        Class.forName(Decision.class.getName(), true, Decision.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
      f = factory;
    }
    return f;
  }
}
