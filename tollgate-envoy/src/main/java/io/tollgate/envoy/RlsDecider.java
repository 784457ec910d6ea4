package io.tollgate.envoy;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.tollgate.config.envoy.RlsLimit;
import io.tollgate.config.envoy.RlsRule;
import io.tollgate.core.Algorithm;
import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RateLimiter.Acquire;
import io.tollgate.core.ResponseFields;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one {@code ShouldRateLimit} request: finds the rule of each descriptor as
 * envoyproxy/ratelimit does (or takes the descriptor's limit override), drops the rules another
 * applying rule {@code replaces}, and takes every counted descriptor's hits from the engine in one
 * all-or-nothing decision. Immutable; one per configuration in effect.
 */
final class RlsDecider {

  /** What an unlimited descriptor reports as remaining: uint32's largest, as envoyproxy/ratelimit does. */
  static final long UNLIMITED_REMAINING = 0xFFFF_FFFFL;

  private final RlsLimits limits;
  private final RateLimiter limiter;
  private final Clock clock;

  RlsDecider(RlsLimits limits, RateLimiter limiter, Clock clock) {
    this.limits = limits;
    this.limiter = limiter;
    this.clock = clock;
  }

  /** A request Envoy should not have sent: no domain, no descriptors, an override in no unit. */
  static final class InvalidRequest extends IllegalArgumentException {
    InvalidRequest(String message) {
      super(message);
    }
  }

  /** What one descriptor comes to before the engine is asked. */
  private static final class Plan {
    RlsLimit.Unit unit; // null: nothing applies (no rule, unknown domain, replaced)
    boolean unlimited;
    long quota; // 0: refuses whatever is asked, counts nothing
    String publicName = ""; // current_limit.name: the rule's own name, "" for none
    String engineLimit; // the engine limit that counts it; null for none
    long number; // an override's number for the engine limit, 0 for the limit's own
    boolean shadow;
    long hits;
    int acquire = -1; // index in the engine's decision
  }

  /**
   * The answer to {@code request}.
   *
   * @throws InvalidRequest for an empty domain, no descriptors, or a limit override without a unit
   */
  CompletableFuture<RateLimitResponse> decide(RateLimitRequest request) {
    String domain = request.getDomain();
    if (domain.isEmpty()) {
      throw new InvalidRequest("rate limit domain must not be empty");
    }
    int n = request.getDescriptorsCount();
    if (n == 0) {
      throw new InvalidRequest("rate limit descriptor list must not be empty");
    }
    Plan[] plans = plan(request);
    boolean blocked = false;
    for (Plan p : plans) {
      blocked |= p.unit != null && !p.unlimited && p.quota == 0 && !p.shadow && p.hits > 0;
    }
    List<Acquire> acquires = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Plan p = plans[i];
      if (p.unit == null || p.engineLimit == null) {
        continue;
      }
      String key = RlsLimits.key(domain, request.getDescriptors(i).getEntriesList());
      long cost = blocked ? 0 : p.hits; // a block refuses the request: the others are only read
      for (int j = 0; j < acquires.size() && p.acquire < 0; j++) {
        Acquire a = acquires.get(j);
        if (a.limitName().equals(p.engineLimit) && a.key().equals(key)) {
          // the same counter twice in one request: the hits together, one answer for both
          acquires.set(j, new Acquire(a.limitName(), key, a.cost() + cost, a.limit()));
          p.acquire = j;
        }
      }
      if (p.acquire < 0) {
        p.acquire = acquires.size();
        acquires.add(new Acquire(p.engineLimit, key, cost, p.number));
      }
    }
    if (acquires.isEmpty()) {
      return CompletableFuture.completedFuture(answer(plans, null, clock.epochMillis()));
    }
    return limiter.tryAcquireAsync(acquires).thenApply(decision -> answer(plans, decision, clock.epochMillis()));
  }

  private Plan[] plan(RateLimitRequest request) {
    String domain = request.getDomain();
    boolean known = limits.config().domains().contains(domain);
    long requestHits = request.getHitsAddend() == 0 ? 1 : Integer.toUnsignedLong(request.getHitsAddend());
    int n = request.getDescriptorsCount();
    Plan[] plans = new Plan[n];
    Set<String> replaced = new HashSet<>();
    for (int i = 0; i < n; i++) {
      RateLimitDescriptor d = request.getDescriptors(i);
      Plan p = plans[i] = new Plan();
      p.hits = d.hasHitsAddend() ? d.getHitsAddend().getValue() : requestHits;
      if (!known) {
        continue;
      }
      RlsRule rule = limits.config().match(domain, entries(d));
      if (d.hasLimit()) {
        // Envoy's override: its numbers, on the counter the rule would use when the units agree
        p.unit = unit(d.getLimit().getUnit());
        p.quota = Integer.toUnsignedLong(d.getLimit().getRequestsPerUnit());
        p.number = p.quota;
        boolean sameCounter = rule != null && limits.limitOf(rule) != null && rule.limit().unit() == p.unit
            && rule.limit().algorithm() == Algorithm.FIXED_WINDOW;
        p.engineLimit = p.quota == 0 ? null : sameCounter ? limits.limitOf(rule) : limits.overrideLimit(p.unit);
        continue;
      }
      if (rule == null) {
        continue;
      }
      RlsLimit l = rule.limit();
      replaced.addAll(l.replaces());
      p.unlimited = l.unlimited();
      p.unit = l.unlimited() ? RlsLimit.Unit.SECOND : l.unit();
      p.quota = l.requestsPerUnit();
      p.publicName = l.name() == null ? "" : l.name();
      p.engineLimit = limits.limitOf(rule);
      p.shadow = rule.shadowMode();
    }
    for (Plan p : plans) {
      if (!p.publicName.isEmpty() && replaced.contains(p.publicName)) {
        p.unit = null;
      }
    }
    return plans;
  }

  private static List<java.util.Map.Entry<String, String>> entries(RateLimitDescriptor d) {
    List<java.util.Map.Entry<String, String>> out = new ArrayList<>(d.getEntriesCount());
    for (RateLimitDescriptor.Entry e : d.getEntriesList()) {
      out.add(java.util.Map.entry(e.getKey(), e.getValue()));
    }
    return out;
  }

  /** An override's unit as a window (the enums share their names). */
  private static RlsLimit.Unit unit(io.envoyproxy.envoy.type.v3.RateLimitUnit u) {
    if (u == io.envoyproxy.envoy.type.v3.RateLimitUnit.UNKNOWN || u == io.envoyproxy.envoy.type.v3.RateLimitUnit.UNRECOGNIZED) {
      throw new InvalidRequest("a descriptor's limit override needs a unit (second, minute, hour, day, month or year;"
          + " was " + u + ")");
    }
    return RlsLimit.Unit.valueOf(u.name());
  }

  private RateLimitResponse answer(Plan[] plans, Decision decision, long now) {
    RateLimitResponse.Builder r = RateLimitResponse.newBuilder();
    Code overall = Code.OK;
    for (Plan p : plans) {
      DescriptorStatus.Builder s = DescriptorStatus.newBuilder().setCode(Code.OK);
      if (p.unit == null) {
        // no rule: OK, nothing more (as envoyproxy/ratelimit)
      } else if (p.unlimited) {
        s.setLimitRemaining((int) UNLIMITED_REMAINING);
      } else {
        s.setCurrentLimit(RateLimitResponse.RateLimit.newBuilder().setName(p.publicName)
            .setRequestsPerUnit((int) p.quota).setUnit(unit(p.unit)));
        long remaining;
        long resetAt;
        boolean over;
        if (p.quota == 0) {
          remaining = 0;
          long window = p.unit.window().toMillis();
          resetAt = Math.floorDiv(now, window) * window + window;
          over = true;
        } else {
          LimitStatus st = decision.applied().get(p.acquire);
          remaining = st.remaining();
          resetAt = st.resetAtMillis();
          over = !decision.fits(p.acquire);
        }
        if (over && !p.shadow && p.hits > 0) {
          s.setCode(Code.OVER_LIMIT);
          overall = Code.OVER_LIMIT;
        }
        s.setLimitRemaining((int) Math.min(Math.max(remaining, 0), UNLIMITED_REMAINING));
        s.setDurationUntilReset(Duration.newBuilder().setSeconds(Math.max(0, -Math.floorDiv(now - resetAt, 1000))));
      }
      r.addStatuses(s);
    }
    r.setOverallCode(overall);
    if (decision != null) {
      ResponseFields.headers(decision, now, (name, value) ->
          r.addResponseHeadersToAdd(HeaderValue.newBuilder().setKey(name).setValue(value)));
    }
    return r.build();
  }

  private static RateLimitResponse.RateLimit.Unit unit(RlsLimit.Unit u) {
    return RateLimitResponse.RateLimit.Unit.valueOf(u.name());
  }
}
