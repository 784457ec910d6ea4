package io.tollgate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import io.tollgate.core.Decision;
import io.tollgate.core.Explanation;
import io.tollgate.core.LimitStatus;
import io.tollgate.core.Mode;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.RequestPath;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The admin endpoints that take a description of a request,
 * {@code {"method":"GET","path":"/a/b?x=1","headers":{"X-Api-Key":"k"},"client_ip":"198.51.100.7"}},
 * and resolve it exactly as the gateway resolves a real one (tenants, key fallbacks, routes).
 */
final class Requests {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Requests() {}

  /** {@code POST /admin/explain}: what would be decided, moving no counter. */
  static HttpResponse explain(RateLimiter limiter, RequestPath.EncodedSlash paths, String body) {
    RequestInfo request;
    try {
      request = parse(body, true, paths);
    } catch (IllegalArgumentException | IOException e) {
      return json(HttpStatus.BAD_REQUEST, JSON.createObjectNode().put("error", e.getMessage()));
    }
    Explanation x = limiter.explain(request);
    Decision d = x.decision();
    ObjectNode o = JSON.createObjectNode();
    o.put("allowed", d.allowed()).put("outcome", d.outcome() == Decision.Outcome.ALLOWED && d.appliedCount() == 0
        ? "unlimited" : d.outcome().name().toLowerCase(java.util.Locale.ROOT)).put("route", d.route());
    ArrayNode limits = o.putArray("limits");
    List<LimitStatus> applied = d.appliedCount() == 0 ? List.of() : d.applied();
    for (int i = 0; i < applied.size(); i++) {
      LimitStatus s = applied.get(i);
      ObjectNode l = limits.addObject().put("name", s.name()).put("key", i < x.keys().size() ? x.keys().get(i) : null)
          .put("algorithm", s.definition().algorithm().text()).put("limit", s.definition().limit());
      if (s.definition().windowText() != null) {
        l.put("window", s.definition().windowText());
      }
      l.put("mode", s.definition().mode() == Mode.SHADOW ? "shadow" : "enforce").put("remaining", s.remaining())
          .put("reset", Instant.ofEpochMilli(s.resetAtMillis()).toString()).put("fits", s.fits());
    }
    return json(HttpStatus.OK, o);
  }

  /** {@code POST /admin/reset[?limit=NAME]}: a fresh budget for the caller described, on every limit or one. */
  static HttpResponse reset(RateLimiter limiter, RequestPath.EncodedSlash paths, String body, String limit) {
    try {
      List<RateLimiter.ResetCounter> reset = limiter.reset(parse(body, true, paths), limit);
      ObjectNode o = JSON.createObjectNode();
      ArrayNode a = o.putArray("reset");
      for (RateLimiter.ResetCounter r : reset) {
        a.addObject().put("limit", r.limit()).put("key", r.key());
      }
      return json(HttpStatus.OK, o);
    } catch (IllegalArgumentException | IOException e) {
      return json(HttpStatus.BAD_REQUEST, JSON.createObjectNode().put("error", e.getMessage()));
    } catch (IllegalStateException e) {
      return json(HttpStatus.SERVICE_UNAVAILABLE, JSON.createObjectNode().put("error", e.getMessage()));
    }
  }

  /** {@code DELETE /admin/bans}: lifts the ban of the caller described ({@code {"client_ip":…}} is enough). */
  static HttpResponse liftBan(RateLimiter limiter, String body) {
    try {
      RequestInfo caller = parse(body, false, RequestPath.EncodedSlash.KEEP);
      boolean lifted = limiter.liftBan(caller);
      if (lifted) {
        org.slf4j.LoggerFactory.getLogger("tollgate").info("ban lifted for the caller at {} (DELETE /admin/bans)",
            caller.clientIp());
      }
      return json(HttpStatus.OK, JSON.createObjectNode().put("lifted", lifted));
    } catch (IllegalArgumentException | IOException e) {
      return json(HttpStatus.BAD_REQUEST, JSON.createObjectNode().put("error", e.getMessage()));
    } catch (IllegalStateException e) {
      return json(HttpStatus.SERVICE_UNAVAILABLE, JSON.createObjectNode().put("error", e.getMessage()));
    }
  }

  /** {@code GET /admin/bans[?max=N]}: the bans in effect, at most N (default 1,000). */
  static HttpResponse bans(RateLimiter limiter, String max) {
    int n;
    try {
      n = max == null ? 1000 : Integer.parseInt(max);
      if (n < 1) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      return json(HttpStatus.BAD_REQUEST, JSON.createObjectNode().put("error", "max must be a whole number >= 1 (was "
          + max + ")"));
    }
    try {
      ObjectNode o = JSON.createObjectNode();
      ArrayNode a = o.putArray("bans");
      for (RateLimiter.ActiveBan b : limiter.bans(n)) {
        a.addObject().put("key", b.key()).put("since", Instant.ofEpochMilli(b.sinceMillis()).toString())
            .put("until", Instant.ofEpochMilli(b.untilMillis()).toString());
      }
      return json(HttpStatus.OK, o);
    } catch (IllegalStateException e) {
      return json(HttpStatus.SERVICE_UNAVAILABLE, JSON.createObjectNode().put("error", e.getMessage()));
    }
  }

  /** {@code GET /admin/top?limit=NAME&n=10}: the callers that took the most of a limit recently. */
  static HttpResponse top(RateLimiter limiter, io.tollgate.server.metrics.TopKeys top, String limit, String n) {
    int count;
    try {
      count = n == null ? 10 : Integer.parseInt(n);
      if (count < 1) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      return json(HttpStatus.BAD_REQUEST, JSON.createObjectNode().put("error", "n must be a whole number >= 1 (was " + n
          + ")"));
    }
    if (limit == null || limiter.policy().limits().stream().noneMatch(l -> l.name().equals(limit))) {
      return json(HttpStatus.BAD_REQUEST, JSON.createObjectNode().put("error", "?limit= names a limit of the policy "
          + "(was " + limit + ")"));
    }
    ObjectNode o = JSON.createObjectNode().put("limit", limit)
        .put("window", "the last " + io.tollgate.server.metrics.TopKeys.WINDOW_MILLIS / 60_000 + " to "
            + 2 * io.tollgate.server.metrics.TopKeys.WINDOW_MILLIS / 60_000 + " minutes");
    ArrayNode callers = o.putArray("callers");
    for (io.tollgate.server.metrics.TopKeys.Heavy h : top.top(limit, count)) {
      callers.addObject().put("key", limiter.keyText(limit, h.keyParts())).put("units", h.units());
    }
    return json(HttpStatus.OK, o);
  }

  /**
   * A request description into what the limiter reads, its path read as the gateway reads it
   * ({@link RequestPath}); without {@code requirePath}, the path defaults to {@code /}.
   */
  static RequestInfo parse(String body, boolean requirePath, RequestPath.EncodedSlash paths) throws IOException {
    JsonNode n = JSON.readTree(body == null || body.isBlank() ? "null" : body);
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("the body must be a JSON object: {\"method\":\"GET\",\"path\":\"/a\","
          + "\"headers\":{...},\"client_ip\":\"198.51.100.7\"}");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!List.of("method", "path", "headers", "client_ip").contains(f)) {
        throw new IllegalArgumentException("unknown field '" + f + "' (method, path, headers, client_ip)");
      }
    }
    String path = text(n, "path", requirePath ? null : "/");
    if (path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException("'path' is required and starts with '/' (was " + n.get("path") + ")");
    }
    int q = path.indexOf('?');
    String matched = RequestPath.of(q < 0 ? path : path.substring(0, q), paths).forMatching();
    RequestInfo.Builder b = RequestInfo.builder().method(text(n, "method", "GET"))
        .path(q < 0 ? matched : matched + path.substring(q))
        .clientIp(text(n, "client_ip", "127.0.0.1"));
    JsonNode headers = n.get("headers");
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        throw new IllegalArgumentException("'headers' must be an object of names to values");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> h = it.next();
        b.header(h.getKey(), h.getValue().asText());
      }
    }
    return b.build();
  }

  private static String text(JsonNode n, String field, String otherwise) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' must be a string (was " + v + ")");
    }
    return v.asText();
  }

  private static HttpResponse json(HttpStatus status, ObjectNode body) {
    try {
      return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsString(body));
    } catch (IOException e) {
      return HttpResponse.ofFailure(e);
    }
  }
}
