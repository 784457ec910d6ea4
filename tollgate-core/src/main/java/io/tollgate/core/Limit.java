package io.tollgate.core;

import io.tollgate.core.internal.PathPattern;
import io.tollgate.core.internal.StatusClasses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One limit: which requests it applies to (routes, methods, paths), what one counter is per (the
 * key), and how it counts (algorithm, limit, window, burst or concurrency, cost). Every limit whose
 * filters match a request applies to it. Immutable and thread-safe; built with {@link #builder}.
 */
public final class Limit {

  private final String name;
  private final List<String> routes;
  private final Set<String> methods;
  private final List<String> paths;
  private final List<List<KeyPart>> key;
  private final Algorithm algorithm;
  private final long limit;
  private final Duration window;
  private final String windowText;
  private final long burst;
  private final long cost;
  private final List<String> uncountedStatuses;
  private final Mode mode;
  private final Refusal refusal;

  private Limit(Builder b, Algorithm algorithm, long limit, Duration window, String windowText, long burst) {
    this.name = b.name;
    this.routes = List.copyOf(b.routes);
    this.methods = b.methods;
    this.paths = List.copyOf(b.paths);
    this.key = List.copyOf(b.key);
    this.algorithm = algorithm;
    this.limit = limit;
    this.window = window;
    this.windowText = windowText;
    this.burst = burst;
    this.cost = b.cost;
    this.uncountedStatuses = List.copyOf(b.uncountedStatuses);
    this.mode = b.mode;
    this.refusal = b.refusal;
  }

  /** A limit named {@code name}, unique within a policy. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  public String name() {
    return name;
  }

  /** The routes it applies to; empty for every route. */
  public List<String> routes() {
    return routes;
  }

  /** The methods it applies to, upper case, {@code reads}/{@code writes} expanded; empty for every method. */
  public Set<String> methods() {
    return methods;
  }

  /** The path patterns it applies to; empty for every path. */
  public List<String> paths() {
    return paths;
  }

  /** The key: a list of fallback chains; empty for one counter shared by every request. */
  public List<List<KeyPart>> key() {
    return key;
  }

  public Algorithm algorithm() {
    return algorithm;
  }

  /** Units per window, or requests in flight for {@link Algorithm#CONCURRENCY}. */
  public long limit() {
    return limit;
  }

  /** The window; {@code null} for concurrency limits. */
  public Duration window() {
    return window;
  }

  /** The window as written ({@code 15m}); {@code null} for concurrency limits. */
  public String windowText() {
    return windowText;
  }

  /** The token bucket's size; equals {@link #limit()} for the other algorithms. */
  public long burst() {
    return burst;
  }

  public long cost() {
    return cost;
  }

  /** Response statuses that give the units back ({@code 304}, {@code 5xx}). */
  public List<String> uncountedStatuses() {
    return uncountedStatuses;
  }

  public Mode mode() {
    return mode;
  }

  /** This limit's refusal fields over the policy's; {@link Refusal#empty()} when none. */
  public Refusal refusal() {
    return refusal;
  }

  /**
   * This limit with a tenant's numbers.
   *
   * @throws IllegalArgumentException if the override does not fit the algorithm
   */
  public Limit withOverride(LimitOverride o) {
    Builder b = toBuilder();
    if (o.concurrency() != null) {
      if (algorithm != Algorithm.CONCURRENCY) {
        throw new IllegalArgumentException("limit '" + name + "' is not a concurrency limit: override limit/window instead");
      }
      b.concurrency(o.concurrency());
    }
    if (algorithm == Algorithm.CONCURRENCY && (o.limit() != null || o.window() != null || o.burst() != null)) {
      throw new IllegalArgumentException("limit '" + name + "' is a concurrency limit: override concurrency instead");
    }
    if (o.limit() != null) {
      b.limit(o.limit());
    }
    if (o.window() != null) {
      b.window(o.windowText());
    }
    if (o.burst() != null) {
      if (algorithm != Algorithm.TOKEN_BUCKET) {
        throw new IllegalArgumentException("limit '" + name + "' is not a token bucket: burst does not apply");
      }
      b.burst(o.burst());
    }
    if (o.cost() != null) {
      b.cost(o.cost());
    }
    return b.build();
  }

  private Builder toBuilder() {
    Builder b = new Builder(name);
    b.routes.addAll(routes);
    b.methods = methods;
    b.paths.addAll(paths);
    b.key.addAll(key);
    if (algorithm == Algorithm.CONCURRENCY) {
      b.concurrency = (int) limit;
    } else {
      b.algorithm = algorithm;
      b.algorithmSet = true;
      b.limit = limit;
      b.window = window;
      b.windowText = windowText;
      b.burst = burst;
      b.burstSet = algorithm == Algorithm.TOKEN_BUCKET && burst != limit;
    }
    b.cost = cost;
    b.uncountedStatuses.addAll(uncountedStatuses);
    b.mode = mode;
    b.refusal = refusal;
    return b;
  }

  @Override
  public String toString() {
    return algorithm == Algorithm.CONCURRENCY
        ? name + " {concurrency " + limit + ", key " + key + "}"
        : name + " {" + limit + "/" + windowText + " " + algorithm.text() + ", key " + key + "}";
  }

  static void requirePositive(String what, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be > 0 (was " + value + ")");
    }
  }

  static Duration checkWindow(Duration d) {
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException("window must be at least 1ms (was " + Durations.format(d) + ")");
    }
    return d;
  }

  /** Builds a {@link Limit}; each setter validates its argument at once. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<String> routes = new ArrayList<>();
    private Set<String> methods = Set.of();
    private final List<String> paths = new ArrayList<>();
    private final List<List<KeyPart>> key = new ArrayList<>();
    private Algorithm algorithm = Algorithm.FIXED_WINDOW;
    private boolean algorithmSet;
    private long limit;
    private Duration window;
    private String windowText;
    private long burst;
    private boolean burstSet;
    private int concurrency;
    private long cost = 1;
    private final List<String> uncountedStatuses = new ArrayList<>();
    private Mode mode = Mode.ENFORCE;
    private Refusal refusal = Refusal.empty();

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("limit name must not be empty");
      }
      this.name = name;
    }

    /** Only requests of these routes. */
    public Builder routes(List<String> routes) {
      this.routes.clear();
      this.routes.addAll(routes);
      return this;
    }

    public Builder routes(String... routes) {
      return routes(List.of(routes));
    }

    /** Only these methods; {@code reads} and {@code writes} stand for GET HEAD OPTIONS and POST PUT PATCH DELETE. */
    public Builder methods(String... methods) {
      this.methods = PathPattern.Methods.parseList(methods, "methods of limit '" + name + "'");
      return this;
    }

    /** Only paths matching one of these patterns (the route pattern syntax). */
    public Builder paths(List<String> patterns) {
      for (String p : patterns) {
        PathPattern.parse(p);
      }
      this.paths.clear();
      this.paths.addAll(patterns);
      return this;
    }

    public Builder paths(String... patterns) {
      return paths(List.of(patterns));
    }

    /** The key, one fallback chain per element ({@code "route"}, {@code "tenant|api-key|client-ip"}). */
    public Builder key(String... chains) {
      List<List<KeyPart>> parsed = new ArrayList<>();
      for (String chain : chains) {
        List<KeyPart> parts = new ArrayList<>();
        for (String p : chain.split("\\|", -1)) {
          parts.add(KeyPart.parse(p.trim()));
        }
        parsed.add(List.copyOf(parts));
      }
      this.key.clear();
      this.key.addAll(parsed);
      return this;
    }

    /** The key as parsed chains. */
    public Builder keyChains(List<List<KeyPart>> chains) {
      this.key.clear();
      for (List<KeyPart> chain : chains) {
        if (chain.isEmpty()) {
          throw new IllegalArgumentException("a key chain must have at least one part");
        }
        this.key.add(List.copyOf(chain));
      }
      return this;
    }

    public Builder algorithm(Algorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      this.algorithmSet = true;
      return this;
    }

    /** Units per window; must be > 0. */
    public Builder limit(long limit) {
      requirePositive("limit", limit);
      this.limit = limit;
      return this;
    }

    /** The window as written in a policy file: {@code 500ms}, {@code 1m}, {@code 15m}. */
    public Builder window(String text) {
      this.window = checkWindow(Durations.parse(text));
      this.windowText = text;
      return this;
    }

    public Builder window(Duration window) {
      this.window = checkWindow(window);
      this.windowText = Durations.format(window);
      return this;
    }

    /** Token bucket only: the bucket's size. Default: the limit. */
    public Builder burst(long burst) {
      requirePositive("burst", burst);
      this.burst = burst;
      this.burstSet = true;
      return this;
    }

    /** At most this many requests in flight, instead of limit/window/algorithm. */
    public Builder concurrency(int concurrency) {
      requirePositive("concurrency", concurrency);
      this.concurrency = concurrency;
      return this;
    }

    /** Units one request takes; default 1. */
    public Builder cost(long cost) {
      requirePositive("cost", cost);
      this.cost = cost;
      return this;
    }

    /** Statuses whose responses give the units back: {@code 304}, or classes such as {@code 5xx}. */
    public Builder uncountedStatuses(List<String> statuses) {
      StatusClasses.parse(statuses);
      this.uncountedStatuses.clear();
      this.uncountedStatuses.addAll(statuses);
      return this;
    }

    public Builder uncountedStatuses(String... statuses) {
      return uncountedStatuses(List.of(statuses));
    }

    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** This limit's overrides of the policy's refusal block. */
    public Builder refusal(Refusal refusal) {
      this.refusal = Objects.requireNonNull(refusal, "refusal");
      return this;
    }

    /**
     * @throws IllegalArgumentException if the numbers are incomplete or contradict each other
     */
    public Limit build() {
      if (concurrency > 0) {
        if (limit > 0 || window != null || algorithmSet && algorithm != Algorithm.CONCURRENCY) {
          throw new IllegalArgumentException("limit '" + name + "': concurrency replaces limit, window and algorithm; "
              + "set either concurrency or limit/window");
        }
        if (burstSet) {
          throw new IllegalArgumentException("limit '" + name + "': burst applies to token-bucket only");
        }
        return new Limit(this, Algorithm.CONCURRENCY, concurrency, null, null, concurrency);
      }
      if (algorithm == Algorithm.CONCURRENCY) {
        throw new IllegalArgumentException("limit '" + name + "': a concurrency limit is written 'concurrency: N'");
      }
      if (limit <= 0) {
        throw new IllegalArgumentException("limit '" + name + "' needs 'limit' (units per window) or 'concurrency'");
      }
      if (window == null) {
        throw new IllegalArgumentException("limit '" + name + "' needs 'window' (e.g. 1m)");
      }
      if (algorithm == Algorithm.SLIDING_WINDOW && limit > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("limit '" + name + "': a sliding-window limit must be at most "
            + Integer.MAX_VALUE + " (was " + limit + ")");
      }
      if (burstSet && algorithm != Algorithm.TOKEN_BUCKET) {
        throw new IllegalArgumentException("limit '" + name + "': burst applies to token-bucket only (algorithm is "
            + algorithm.text() + ")");
      }
      return new Limit(this, algorithm, limit, window, windowText, burstSet ? burst : limit);
    }
  }
}
