package io.tollgate.core;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The steps every HTTP front door takes with a request before it answers, for one limiter, in the
 * order they run: the path read as {@link RequestPath} reads it ({@link #path}), the caller's
 * address behind trusted proxies ({@link #clientIp}), identities sent twice ({@link #unreadable}),
 * the status endpoint ({@link #isStatusView}), the decision ({@link #decide}), and what the door
 * answers ({@link #answer}: a refusal, a denied caller, the status view, or nothing when the request
 * goes on, with {@link #fields} on its response). The gateway, the check endpoint, the servlet filter
 * and the WebFlux filter take these steps; each only reads its own request type and writes the
 * {@link HttpAnswer} its own way.
 *
 * <pre>{@code
 * Admission a = Admission.builder(limiter).trustedProxies(proxies).build();
 * RequestPath path = a.path(rawPath);                       // InvalidPathException: answer 400
 * RequestInfo info = myInfo(path.forMatching(), a.clientIp(peer, xForwardedFor));
 * String why = a.unreadable(info);                          // not null: answer HttpAnswer.badRequest(why, 400)
 * boolean view = a.isStatusView(info);
 * Decision d = a.decide(info, view);
 * HttpAnswer answer = a.answer(d, info, view);              // null: on to the application, then d.settle(status)
 * }</pre>
 *
 * Immutable and thread-safe; {@link #withLimiter} gives the same steps on a reloaded policy.
 */
public final class Admission {

  private final RateLimiter limiter;
  private final List<Cidr> trusted;
  private final ClientAddress clientAddress;
  private final RequestPath.EncodedSlash encodedSlash;
  private final Clock clock;
  private final List<KeyPart> identities;
  private final String statusEndpoint; // null: none
  private final boolean banned; // the policy has a ban: deciding reads it first

  private Admission(RateLimiter limiter, List<Cidr> trusted, RequestPath.EncodedSlash encodedSlash, Clock clock) {
    this.limiter = limiter;
    this.trusted = trusted;
    this.clientAddress = new ClientAddress(trusted);
    this.encodedSlash = encodedSlash;
    this.clock = clock;
    this.identities = limiter.policy().identities();
    this.statusEndpoint = limiter.policy().statusEndpoint();
    this.banned = limiter.policy().ban() != null;
  }

  /** The steps for {@code limiter}: no trusted proxies, encoded slashes rejected, the system clock. */
  public static Builder builder(RateLimiter limiter) {
    return new Builder(limiter);
  }

  /** The same steps deciding with {@code limiter} (a reloaded policy: its identities and status endpoint). */
  public Admission withLimiter(RateLimiter limiter) {
    return new Admission(Objects.requireNonNull(limiter, "limiter"), trusted, encodedSlash, clock);
  }

  public RateLimiter limiter() {
    return limiter;
  }

  /** The clock the answers' times count from. */
  public Clock clock() {
    return clock;
  }

  /**
   * {@code raw}, a path without its query, as the application or upstream gets it and as routes
   * match it.
   *
   * @throws RequestPath.InvalidPathException when it cannot be served as written (answer 400 with its message)
   */
  public RequestPath path(String raw) {
    return RequestPath.of(raw.isEmpty() ? "/" : raw, encodedSlash);
  }

  /** The caller's address: {@code peer}, or the X-Forwarded-For hop it names when {@code peer} is trusted. */
  public String clientIp(InetSocketAddress peer, String forwardedFor) {
    return clientAddress.resolve(peer, forwardedFor);
  }

  /**
   * Whether {@link #clientIp} reads X-Forwarded-For at all (some proxy is trusted); a door whose
   * header lookup costs something passes {@code null} for it otherwise.
   */
  public boolean readsForwardedFor() {
    return !trusted.isEmpty();
  }

  /**
   * Why {@code info} cannot be decided: the first identity (a header or query parameter a key reads)
   * it sends twice with different values, as {@code header X-Api-Key was sent twice with different
   * values}; {@code null} when it can. The same value twice is one value.
   */
  public String unreadable(RequestInfo info) {
    for (int i = 0; i < identities.size(); i++) {
      KeyPart p = identities.get(i);
      boolean header = p.kind() == KeyPart.Kind.HEADER;
      List<String> values = header ? info.headerValues(p.name()) : info.queryParamValues(p.name());
      for (int v = 1; v < values.size(); v++) {
        if (!values.get(v).equals(values.get(0))) {
          return (header ? "header " : "query parameter ") + p.name() + " was sent twice with different values";
        }
      }
    }
    return null;
  }

  /** Whether {@code info} asks for the status view ({@code GET} on the policy's status endpoint): never counted. */
  public boolean isStatusView(RequestInfo info) {
    return statusEndpoint != null && statusEndpoint.equals(info.path()) && "GET".equals(info.method());
  }

  /**
   * Whether {@link #decide} reads the store with its blocking API for such a request (a ban or the
   * status view), so that a door on a remote store runs it off its event loop; otherwise
   * {@link RateLimiter#decideAsync} waits on no thread.
   */
  public boolean blocks(boolean statusView) {
    return statusView || banned;
  }

  /** The decision for {@code info}: {@link RateLimiter#screen} for the status view, else {@link RateLimiter#decide}. */
  public Decision decide(RequestInfo info, boolean statusView) {
    return statusView ? limiter.screen(info) : limiter.decide(info);
  }

  /**
   * What the door answers for {@code d}: the refusal (a refused or banned request), 403 for a denied
   * caller, the status view, or {@code null} when the request goes on (write {@link #fields} on its
   * response and {@link Decision#settle} it when the response is complete).
   */
  public HttpAnswer answer(Decision d, RequestInfo info, boolean statusView) {
    switch (d.outcome()) {
      case DENIED:
        return HttpAnswer.denied(0);
      case REFUSED:
      case BANNED:
        return HttpAnswer.refused(d, clock.epochMillis(), 0);
      default:
        return statusView ? HttpAnswer.statusView(limiter, info) : null;
    }
  }

  /** The rate-limit header fields of an allowed response (none when no limit reports), times from now. */
  public void fields(Decision d, BiConsumer<String, String> out) {
    if (d.reported() != null) {
      ResponseFields.headers(d, clock.epochMillis(), out);
    }
  }

  /** Builds an {@link Admission}. Not thread-safe. */
  public static final class Builder {
    private final RateLimiter limiter;
    private List<Cidr> trusted = List.of();
    private RequestPath.EncodedSlash encodedSlash = RequestPath.EncodedSlash.REJECT;
    private Clock clock = Clock.system();

    private Builder(RateLimiter limiter) {
      this.limiter = Objects.requireNonNull(limiter, "limiter");
    }

    /** Peers whose X-Forwarded-For names the caller (a load balancer in front); none by default. */
    public Builder trustedProxies(List<Cidr> trusted) {
      this.trusted = List.copyOf(trusted);
      return this;
    }

    /** How %2F and %5C in a path are read ({@code paths.encoded-slash}); reject by default. */
    public Builder encodedSlash(RequestPath.EncodedSlash encodedSlash) {
      this.encodedSlash = Objects.requireNonNull(encodedSlash, "encodedSlash");
      return this;
    }

    /** The clock the answers' times count from; the system's by default (the limiter's own in tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Admission build() {
      return new Admission(limiter, trusted, encodedSlash, clock);
    }
  }
}
