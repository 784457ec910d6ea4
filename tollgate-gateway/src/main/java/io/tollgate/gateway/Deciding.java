package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.tollgate.core.ClientAddress;
import io.tollgate.core.Decision;
import io.tollgate.core.KeyPart;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestPath;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The steps every front door (the gateway, the check endpoint) takes with a request before it
 * answers, for one policy: the path read as {@link RequestPath} reads it, the caller's address,
 * identities sent twice, and the decision made on the thread its store needs. Immutable.
 */
final class Deciding {

  /** How a door answers a decision. */
  interface Answer {
    HttpResponse apply(Decision d) throws Exception;
  }

  private final RateLimiter limiter;
  private final ClientAddress clientAddress;
  private final boolean sharedStore;
  /** A ban reads Redis with the blocking API before every decision (see {@link RateLimiter#decideAsync}). */
  private final boolean banned;
  private final RequestPath.EncodedSlash encodedSlash;
  private final List<KeyPart> identities;

  /**
   * @param sharedStore whether the limiter's store is Redis: a decision then waits on the network (up
   *     to the store's timeout), so it is asynchronous, or on Armeria's blocking-task threads where it
   *     needs the blocking API (the status view, a ban); never on an event loop
   */
  Deciding(RateLimiter limiter, ClientAddress clientAddress, boolean sharedStore, RequestPath.EncodedSlash encodedSlash) {
    this.limiter = limiter;
    this.clientAddress = clientAddress;
    this.sharedStore = sharedStore;
    this.banned = limiter.policy().ban() != null;
    this.encodedSlash = encodedSlash;
    this.identities = limiter.policy().identities();
  }

  /**
   * {@code raw}, a path without its query, as the upstream gets it and as routes match it.
   *
   * @throws RequestPath.InvalidPathException when it cannot be served as written
   */
  RequestPath path(String raw) {
    return RequestPath.of(raw, encodedSlash);
  }

  /**
   * What the limiter reads of a request with {@code headers}, matched on {@code path}.
   *
   * @param rawQuery the query string without its '?', or {@code null}
   */
  ArmeriaRequestInfo info(ServiceRequestContext ctx, RequestHeaders headers, RequestPath path, String rawQuery) {
    String ip = clientAddress.resolve(ctx.remoteAddress(), headers.get(HttpHeaderNames.X_FORWARDED_FOR));
    return new ArmeriaRequestInfo(headers, path.forMatching(), rawQuery, ip);
  }

  /** Why {@code info} cannot be decided (an identity sent twice with different values), or {@code null}. */
  String unreadable(ArmeriaRequestInfo info) {
    String twice = identities.isEmpty() ? null : info.conflictingIdentity(identities);
    return twice == null ? null : twice + " was sent twice with different values";
  }

  /**
   * Decides {@code info} ({@link RateLimiter#screen} instead when {@code screen}: the status view) and
   * answers with {@code answer}: at once on the memory store; on Redis without a thread waiting
   * (the answer on the request's event loop), or on the blocking-task threads when a ban or the
   * status view reads Redis with the blocking API.
   */
  HttpResponse decide(ServiceRequestContext ctx, ArmeriaRequestInfo info, boolean screen, Answer answer)
      throws Exception {
    if (!sharedStore) {
      return answer.apply(screen ? limiter.screen(info) : limiter.decide(info));
    }
    if (screen || banned) {
      return HttpResponse.of(CompletableFuture.supplyAsync(() -> applyOrFail(answer,
          screen ? limiter.screen(info) : limiter.decide(info)), ctx.blockingTaskExecutor()));
    }
    return HttpResponse.of(limiter.decideAsync(info).thenApplyAsync(d -> applyOrFail(answer, d), ctx.eventLoop()));
  }

  private static HttpResponse applyOrFail(Answer answer, Decision d) {
    try {
      return answer.apply(d);
    } catch (Exception e) {
      return HttpResponse.ofFailure(e);
    }
  }
}
