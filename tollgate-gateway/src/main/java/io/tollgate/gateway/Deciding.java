package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.tollgate.core.Admission;
import io.tollgate.core.Decision;
import io.tollgate.core.RequestPath;
import java.util.concurrent.CompletableFuture;

/**
 * Core's {@link Admission} steps on Armeria's requests, for the gateway and the check endpoint: the
 * request read in place, and the decision made on the thread its store needs. Immutable.
 */
final class Deciding {

  /** How a door answers a decision. */
  interface Answer {
    HttpResponse apply(Decision d) throws Exception;
  }

  private final Admission admission;
  private final boolean sharedStore;

  /**
   * @param sharedStore whether the limiter's store is Redis: a decision then waits on the network (up
   *     to the store's timeout), so it is asynchronous, or on Armeria's blocking-task threads where it
   *     needs the blocking API (the status view, a ban); never on an event loop
   */
  Deciding(Admission admission, boolean sharedStore) {
    this.admission = admission;
    this.sharedStore = sharedStore;
  }

  /** The steps for {@code limiter} with {@code settings}' trusted proxies and paths, times from {@code clock}. */
  static Deciding of(io.tollgate.config.Settings settings, io.tollgate.core.RateLimiter limiter,
      io.tollgate.core.Clock clock, boolean sharedStore) {
    return new Deciding(Admission.builder(limiter).trustedProxies(settings.trustedProxies())
        .encodedSlash(settings.http().encodedSlash()).clock(clock).build(), sharedStore);
  }

  Admission admission() {
    return admission;
  }

  /**
   * What the limiter reads of a request with {@code headers}, matched on {@code path}.
   *
   * @param rawQuery the query string without its '?', or {@code null}
   */
  ArmeriaRequestInfo info(ServiceRequestContext ctx, RequestHeaders headers, RequestPath path, String rawQuery) {
    String ip = admission.clientIp(ctx.remoteAddress(), headers.get(HttpHeaderNames.X_FORWARDED_FOR));
    return new ArmeriaRequestInfo(headers, path.forMatching(), rawQuery, ip);
  }

  /**
   * Decides {@code info} ({@link io.tollgate.core.RateLimiter#screen} instead when {@code screen}: the
   * status view) and answers with {@code answer}: at once on the memory store; on Redis without a
   * thread waiting (the answer on the request's event loop), or on the blocking-task threads when a
   * ban or the status view reads Redis with the blocking API.
   */
  HttpResponse decide(ServiceRequestContext ctx, ArmeriaRequestInfo info, boolean screen, Answer answer)
      throws Exception {
    if (!sharedStore) {
      return answer.apply(admission.decide(info, screen));
    }
    if (admission.blocks(screen)) {
      return HttpResponse.of(CompletableFuture.supplyAsync(() -> applyOrFail(answer, admission.decide(info, screen)),
          ctx.blockingTaskExecutor()));
    }
    return HttpResponse.of(admission.limiter().decideAsync(info)
        .thenApplyAsync(d -> applyOrFail(answer, d), ctx.eventLoop()));
  }

  private static HttpResponse applyOrFail(Answer answer, Decision d) {
    try {
      return answer.apply(d);
    } catch (Exception e) {
      return HttpResponse.ofFailure(e);
    }
  }
}
