package io.tollgate.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What is limited and how: routes, limits, tenants, the refusal block, allow and deny lists, the ban
 * rule and the status endpoint. The policy file (tollgate-config) is read into one; code can build
 * one with {@link #builder()}. Immutable and thread-safe; a policy that built is consistent (every
 * route a limit names exists, names are unique, overrides fit their limits).
 */
public final class Policy {

  private final List<Route> routes;
  private final List<Limit> limits;
  private final Tenants tenants;
  private final Refusal refusal;
  private final String statusEndpoint;
  private final List<Cidr> allow;
  private final List<Cidr> deny;
  private final Ban ban;
  private final List<KeyPart> identities;

  private Policy(Builder b) {
    this.routes = List.copyOf(b.routes);
    this.limits = List.copyOf(b.limits);
    this.tenants = b.tenants;
    this.refusal = b.refusal;
    this.statusEndpoint = b.statusEndpoint;
    this.allow = List.copyOf(b.allow);
    this.deny = List.copyOf(b.deny);
    this.ban = b.ban;
    Set<KeyPart> reads = new java.util.LinkedHashSet<>();
    List<List<KeyPart>> chains = new ArrayList<>();
    for (Limit l : limits) {
      chains.addAll(l.key());
    }
    if (ban != null) {
      chains.addAll(ban.key());
    }
    if (tenants != null) {
      chains.add(List.of(tenants.apiKey()));
    }
    for (List<KeyPart> chain : chains) {
      for (KeyPart p : chain) {
        if (p.kind() == KeyPart.Kind.HEADER || p.kind() == KeyPart.Kind.QUERY) {
          reads.add(p);
        }
      }
    }
    this.identities = List.copyOf(reads);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Routes in match order: a request belongs to the first that matches, else to {@link Route#DEFAULT}. */
  public List<Route> routes() {
    return routes;
  }

  public List<Limit> limits() {
    return limits;
  }

  /**
   * The headers and query parameters that a key reads (limits, the ban, the tenants' API key), each
   * once: a request that sends one of them twice with different values is refused by the front
   * doors, since the gateway and the upstream could each read another.
   */
  public List<KeyPart> identities() {
    return identities;
  }

  /** The limit named {@code name}, or {@code null}. */
  public Limit limit(String name) {
    for (Limit l : limits) {
      if (l.name().equals(name)) {
        return l;
      }
    }
    return null;
  }

  /** The tenants, or {@code null} when the policy has none. */
  public Tenants tenants() {
    return tenants;
  }

  /** The policy-wide refusal block, every field set. */
  public Refusal refusal() {
    return refusal;
  }

  /** The refusal a request refused by {@code limit} gets: the policy's block with the limit's fields over it. */
  public Refusal refusalFor(Limit limit) {
    return refusal.overriddenBy(limit.refusal());
  }

  /** The status endpoint's path, or {@code null}. */
  public String statusEndpoint() {
    return statusEndpoint;
  }

  /** Client addresses never limited. */
  public List<Cidr> allow() {
    return allow;
  }

  /** Client addresses always refused with 403. */
  public List<Cidr> deny() {
    return deny;
  }

  /** The ban rule, or {@code null}. */
  public Ban ban() {
    return ban;
  }

  /** Builds a {@link Policy}. Not thread-safe. */
  public static final class Builder {
    private final List<Route> routes = new ArrayList<>();
    private final List<Limit> limits = new ArrayList<>();
    private Tenants tenants;
    private Refusal refusal = Refusal.defaults();
    private String statusEndpoint;
    private final List<Cidr> allow = new ArrayList<>();
    private final List<Cidr> deny = new ArrayList<>();
    private Ban ban;

    private Builder() {}

    public Builder route(Route route) {
      routes.add(Objects.requireNonNull(route, "route"));
      return this;
    }

    public Builder limit(Limit limit) {
      limits.add(Objects.requireNonNull(limit, "limit"));
      return this;
    }

    public Builder tenants(Tenants tenants) {
      this.tenants = tenants;
      return this;
    }

    /** Fields set here replace the defaults (429, x-ratelimit + retry-after + ratelimit, JSON body). */
    public Builder refusal(Refusal refusal) {
      this.refusal = Refusal.defaults().overriddenBy(refusal);
      return this;
    }

    /** The status endpoint's path, e.g. {@code /ratelimits}; {@code null} for none. */
    public Builder statusEndpoint(String path) {
      if (path != null && !path.startsWith("/")) {
        throw new IllegalArgumentException("status-endpoint must be a path starting with '/' (was '" + path + "')");
      }
      this.statusEndpoint = path;
      return this;
    }

    public Builder allow(String cidr) {
      allow.add(Cidr.parse(cidr));
      return this;
    }

    public Builder deny(String cidr) {
      deny.add(Cidr.parse(cidr));
      return this;
    }

    public Builder ban(Ban ban) {
      this.ban = ban;
      return this;
    }

    /** @throws IllegalArgumentException naming the first inconsistency */
    public Policy build() {
      Set<String> routeNames = new HashSet<>();
      routeNames.add(Route.DEFAULT);
      for (Route r : routes) {
        if (!routeNames.add(r.name())) {
          throw new IllegalArgumentException("duplicate route name '" + r.name() + "'");
        }
      }
      Set<String> limitNames = new HashSet<>();
      boolean usesTenants = false;
      for (Limit l : limits) {
        if (!limitNames.add(l.name())) {
          throw new IllegalArgumentException("duplicate limit name '" + l.name() + "'");
        }
        for (String r : l.routes()) {
          if (!routeNames.contains(r)) {
            throw new IllegalArgumentException("limit '" + l.name() + "' names route '" + r + "', which does not exist");
          }
        }
        for (List<KeyPart> chain : l.key()) {
          for (KeyPart p : chain) {
            usesTenants |= p.kind() == KeyPart.Kind.TENANT || p.kind() == KeyPart.Kind.API_KEY;
          }
        }
      }
      if (usesTenants && tenants == null) {
        throw new IllegalArgumentException("a limit is keyed by tenant or api-key, but the policy has no 'tenants' block");
      }
      if (tenants != null) {
        for (Map.Entry<String, Map<String, LimitOverride>> e : tenants.overrides().entrySet()) {
          if (!tenants.keysByTenant().containsKey(e.getKey())) {
            throw new IllegalArgumentException("override for tenant '" + e.getKey() + "', which is not in tenants.map");
          }
          for (Map.Entry<String, LimitOverride> o : e.getValue().entrySet()) {
            Limit l = limitNamed(o.getKey());
            if (l == null) {
              throw new IllegalArgumentException("override of limit '" + o.getKey() + "', which does not exist");
            }
            l.withOverride(o.getValue());
          }
        }
      }
      return new Policy(this);
    }

    private Limit limitNamed(String name) {
      for (Limit l : limits) {
        if (l.name().equals(name)) {
          return l;
        }
      }
      return null;
    }
  }
}
