package io.tollgate.spring;

import io.tollgate.redis.RedisStore;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code tollgate} health: UP, or DEGRADED while a Redis store does not answer and
 * {@code redis.on-failure} decides (the application still answers: not DOWN).
 */
public class TollgateHealthIndicator implements HealthIndicator {

  /** Redis does not answer; decisions follow {@code redis.on-failure}. */
  public static final Status DEGRADED = new Status("DEGRADED", "Redis does not answer: decisions follow on-failure");

  private final TollgatePolicy policy;

  public TollgateHealthIndicator(TollgatePolicy policy) {
    this.policy = policy;
  }

  @Override
  public Health health() {
    boolean degraded = policy.store() instanceof RedisStore r && r.degraded();
    return (degraded ? Health.status(DEGRADED) : Health.up()).withDetail("store",
        policy.file().settings().store().describe()).withDetail("sha256", policy.file().sha256()).build();
  }
}
