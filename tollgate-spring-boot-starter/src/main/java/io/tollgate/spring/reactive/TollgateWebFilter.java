package io.tollgate.spring.reactive;

import io.tollgate.core.Admission;
import io.tollgate.core.Decision;
import io.tollgate.core.HttpAnswer;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestPath;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;
import reactor.core.scheduler.Schedulers;

/**
 * A policy enforced inside a Spring WebFlux application: core's {@link Admission} steps on the
 * requests the filter sees (the path within the application, the caller behind trusted proxies,
 * identities sent twice, deny, ban, allow, routes, limits, all-or-nothing) and the gateway's answers
 * (a refusal's status, headers and body, the rate-limit headers on allowed responses, the status
 * endpoint). Nothing waits on an event loop: on Redis a decision is asynchronous, and where the
 * engine reads Redis with its blocking API (a ban, the status view) it runs on Reactor's
 * bounded-elastic threads.
 *
 * <p>An allowed request is settled when its response is complete: with its status, or with the
 * status of the {@link ErrorResponse} (a {@code ResponseStatusException}) the application ended
 * with; it is aborted (units kept, concurrency slots back) when the client cancels or the
 * application fails otherwise, and so is a decision on Redis that the client did not wait for. Thread-safe; {@link #update} swaps in a reloaded policy.
 */
public final class TollgateWebFilter implements WebFilter, Ordered {

  private static final InetSocketAddress UNKNOWN = InetSocketAddress.createUnresolved("0.0.0.0", 0);
  /** Where decisions that read Redis with the blocking API run: Reactor's threads for blocking work. */
  private static final Executor BLOCKING = task -> Schedulers.boundedElastic().schedule(task);

  private volatile Admission admission;
  private final boolean sharedStore;
  private final int order;

  /**
   * @param admission the steps, with the limiter, trusted proxies and path settings
   * @param sharedStore whether the limiter's store is remote (Redis): decisions are then asynchronous
   * @param order the filter's place among the application's WebFilters (lower runs first)
   */
  public TollgateWebFilter(Admission admission, boolean sharedStore, int order) {
    this.admission = admission;
    this.sharedStore = sharedStore;
    this.order = order;
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
  public int getOrder() {
    return order;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    Admission a = admission;
    ServerHttpRequest req = exchange.getRequest();
    RequestPath path;
    try {
      path = a.path(req.getPath().pathWithinApplication().value());
    } catch (RequestPath.InvalidPathException bad) {
      return write(exchange.getResponse(), HttpAnswer.badRequest(bad.getMessage(), 400));
    }
    InetSocketAddress peer = req.getRemoteAddress();
    String ip = a.clientIp(peer == null ? UNKNOWN : peer,
        a.readsForwardedFor() ? req.getHeaders().getFirst("X-Forwarded-For") : null);
    WebFluxRequestInfo info = new WebFluxRequestInfo(req, path.forMatching(), ip);
    String unreadable = a.unreadable(info);
    if (unreadable != null) {
      return write(exchange.getResponse(), HttpAnswer.badRequest(unreadable, 400));
    }
    boolean statusView = a.isStatusView(info);
    if (!sharedStore) { // the memory store answers at once
      return answer(exchange, chain, a, info, statusView, a.decide(info, statusView));
    }
    CompletableFuture<Decision> deciding = a.blocks(statusView)
        ? CompletableFuture.supplyAsync(() -> a.decide(info, statusView), BLOCKING)
        : a.limiter().decideAsync(info);
    AtomicBoolean taken = new AtomicBoolean(); // the decision reached answer(), which settles it from then on
    return Mono.fromFuture(deciding, true)
        .publishOn(Schedulers.parallel()) // completed on the store's I/O thread: the application goes on elsewhere
        .flatMap(d -> {
          taken.set(true);
          return answer(exchange, chain, a, info, statusView, d);
        })
        .doOnCancel(() -> {
          if (!taken.get()) { // the client went away while it was decided: give the slots back when it comes
            deciding.thenAccept(Decision::abort);
          }
        });
  }

  private static Mono<Void> answer(ServerWebExchange exchange, WebFilterChain chain, Admission a,
      WebFluxRequestInfo info, boolean statusView, Decision d) {
    HttpAnswer answer = a.answer(d, info, statusView);
    if (answer != null) { // refused, denied, or the status view
      return write(exchange.getResponse(), answer);
    }
    ServerHttpResponse res = exchange.getResponse();
    a.fields(d, res.getHeaders()::set);
    if (d.appliedCount() == 0) {
      return chain.filter(exchange);
    }
    return chain.filter(exchange)
        .doOnError(failed -> {
          if (failed instanceof ErrorResponse e) { // answered with its status by the error handlers
            d.settle(e.getStatusCode().value());
          } else {
            d.abort();
          }
        })
        .doFinally(signal -> {
          if (signal == SignalType.ON_COMPLETE) {
            HttpStatusCode status = res.getStatusCode();
            d.settle(status == null ? 200 : status.value());
          } else if (signal == SignalType.CANCEL) {
            d.abort(); // the client went away
          }
        });
  }

  private static Mono<Void> write(ServerHttpResponse res, HttpAnswer a) {
    res.setStatusCode(HttpStatusCode.valueOf(a.status()));
    HttpHeaders headers = res.getHeaders();
    headers.set(HttpHeaders.CONTENT_TYPE, a.contentType());
    for (Map.Entry<String, String> h : a.headers()) {
      headers.set(h.getKey(), h.getValue());
    }
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    headers.setContentLength(body.length);
    return res.writeWith(Mono.just(res.bufferFactory().wrap(body)));
  }
}
