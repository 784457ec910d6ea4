package io.tollgate.servlet;

import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Admission;
import io.tollgate.core.Cidr;
import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.HttpAnswer;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestPath;
import io.tollgate.core.store.CounterStore;
import io.tollgate.redis.Stores;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy enforced inside a Jakarta Servlet 6 application: the gateway's steps on the requests the
 * filter sees (the path without the context path, read as the gateway reads it; the caller's
 * address behind trusted proxies; identities sent twice; deny, ban, allow, routes, limits,
 * all-or-nothing) and the gateway's answers (a refusal's status, headers and body, the rate-limit
 * headers on allowed responses, the status endpoint). An allowed request is settled when its
 * response is complete, also when it went asynchronous or the client went away, so uncounted
 * statuses give their units back and concurrency slots come back.
 *
 * <pre>{@code
 * // with the engine you built:
 * context.addFilter("tollgate", TollgateFilter.builder(limiter).trustedProxies(proxies).build());
 * // or from a policy file (its store opened, closed at destroy):
 * context.addFilter("tollgate", TollgateFilter.fromPolicyFile(Path.of("tollgate.yaml")));
 * }</pre>
 *
 * <p>In {@code web.xml}, declare the class with the init parameter {@code policy} (the file's path).
 * Thread-safe; {@link #update} swaps in another limiter between requests (a reload).
 */
public final class TollgateFilter implements Filter {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private volatile Admission admission;
  private CounterStore ownedStore; // null: the limiter's store is its builder's to close

  /** For {@code web.xml}: the policy comes from the init parameter {@code policy} at {@link #init}. */
  public TollgateFilter() {}

  private TollgateFilter(Admission admission) {
    this.admission = admission;
  }

  /** A filter taking {@code admission}'s steps (its limiter's store stays the caller's). */
  public static TollgateFilter of(Admission admission) {
    return new TollgateFilter(Objects.requireNonNull(admission, "admission"));
  }

  /** A filter deciding with {@code limiter} (its store stays the caller's). */
  public static Builder builder(RateLimiter limiter) {
    return new Builder(limiter);
  }

  /**
   * A filter enforcing the policy file at {@code path}: its store opened (memory, or the Redis it
   * names), its {@code trusted-proxies} and {@code paths} applied; the store is closed at
   * {@link #destroy}. Server settings ({@code listen}, {@code upstream}, {@code tls}, {@code admin},
   * {@code check}, {@code envoy-rls}) mean nothing in an application and are left alone.
   *
   * @throws PolicyException with every error of the file at its file, line and column
   */
  public static TollgateFilter fromPolicyFile(Path path) throws PolicyException {
    TollgateFilter f = new TollgateFilter();
    f.load(path);
    return f;
  }

  private void load(Path path) throws PolicyException {
    PolicyFile file = PolicyLoader.load(path);
    CounterStore store = Stores.open(file.settings().store());
    RateLimiter limiter = RateLimiter.builder(file.policy()).store(store).build();
    this.ownedStore = store;
    this.admission = Admission.builder(limiter).trustedProxies(file.settings().trustedProxies())
        .encodedSlash(file.settings().http().encodedSlash()).build();
    log.info("tollgate filter: policy {} ({} routes, {} limits), store {}", path, file.policy().routes().size(),
        file.policy().limits().size(), file.settings().store().describe());
    file.warnServerOnly(log);
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (admission != null) {
      return;
    }
    String policy = config.getInitParameter("policy");
    if (policy == null) {
      throw new ServletException("TollgateFilter needs the init parameter 'policy': the path of a policy file");
    }
    try {
      load(Path.of(policy));
    } catch (PolicyException e) {
      throw new ServletException(e.getMessage(), e);
    }
  }

  /** From the next request on, decides with {@code limiter} (a reloaded policy); the rest stays. */
  public void update(RateLimiter limiter) {
    admission = admission.withLimiter(limiter);
  }

  /** From the next request on, takes {@code admission}'s steps (a reloaded policy with its trusted proxies and paths). */
  public void update(Admission admission) {
    this.admission = Objects.requireNonNull(admission, "admission");
  }

  /** The limiter deciding now. */
  public RateLimiter limiter() {
    return admission.limiter();
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (!(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)) {
      chain.doFilter(request, response);
      return;
    }
    Admission a = admission;
    String uri = req.getRequestURI();
    RequestPath path;
    try {
      path = a.path(uri.substring(Math.min(uri.length(), req.getContextPath().length())));
    } catch (RequestPath.InvalidPathException bad) {
      write(res, HttpAnswer.badRequest(bad.getMessage(), 400));
      return;
    }
    String ip = a.clientIp(InetSocketAddress.createUnresolved(req.getRemoteAddr(), 0),
        a.readsForwardedFor() ? req.getHeader("X-Forwarded-For") : null); // a container's lookup scans the fields
    ServletRequestInfo info = new ServletRequestInfo(req, path.forMatching(), ip);
    String unreadable = a.unreadable(info);
    if (unreadable != null) {
      write(res, HttpAnswer.badRequest(unreadable, 400));
      return;
    }
    boolean statusView = a.isStatusView(info);
    Decision d = a.decide(info, statusView);
    HttpAnswer answer = a.answer(d, info, statusView);
    if (answer != null) {
      write(res, answer);
      return;
    }
    a.fields(d, res::setHeader);
    try {
      chain.doFilter(req, res);
    } catch (IOException | ServletException | RuntimeException failed) {
      d.abort(); // no response reached the client as the application meant it
      throw failed;
    }
    if (req.isAsyncStarted()) {
      req.getAsyncContext().addListener(new Settle(d));
    } else {
      d.settle(res.getStatus());
    }
  }

  private static void write(HttpServletResponse res, HttpAnswer a) throws IOException {
    res.setStatus(a.status());
    res.setContentType(a.contentType());
    for (Map.Entry<String, String> h : a.headers()) {
      res.setHeader(h.getKey(), h.getValue());
    }
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    res.setContentLength(body.length);
    res.getOutputStream().write(body);
  }

  /** Settles an asynchronous request when its response is complete, or aborts it when it failed. */
  private static final class Settle implements AsyncListener {
    private final Decision decision;

    Settle(Decision decision) {
      this.decision = decision;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      decision.settle(((HttpServletResponse) event.getSuppliedResponse()).getStatus());
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      // the container completes it next (onComplete), with the status the timeout led to
    }

    @Override
    public void onError(AsyncEvent event) {
      decision.abort(); // the client went away, or the application failed
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this); // dispatched and started again: keep listening
    }
  }

  @Override
  public void destroy() {
    if (ownedStore != null) {
      ownedStore.close();
    }
  }

  /** Builds a {@link TollgateFilter} around a limiter: {@link Admission.Builder}'s settings. Not thread-safe. */
  public static final class Builder {
    private final Admission.Builder admission;

    private Builder(RateLimiter limiter) {
      this.admission = Admission.builder(limiter);
    }

    /** Peers whose X-Forwarded-For names the caller (a load balancer in front); none by default. */
    public Builder trustedProxies(List<Cidr> trusted) {
      admission.trustedProxies(trusted);
      return this;
    }

    /** How %2F and %5C in a path are read ({@code paths.encoded-slash}); reject by default. */
    public Builder encodedSlash(RequestPath.EncodedSlash encodedSlash) {
      admission.encodedSlash(encodedSlash);
      return this;
    }

    /** The clock the headers' times count from; the system's by default (the limiter's own for tests). */
    public Builder clock(Clock clock) {
      admission.clock(clock);
      return this;
    }

    public TollgateFilter build() {
      return new TollgateFilter(admission.build());
    }
  }
}
