package io.tollgate.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.util.EventLoopGroups;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.Settings;
import io.tollgate.core.Algorithm;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.Mode;
import io.tollgate.core.Route;
import io.tollgate.gateway.GatewayServer;
import io.tollgate.server.Reload;
import io.tollgate.server.metrics.Metrics;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The admin port: {@code /healthz}, {@code /readyz}, {@code /metrics}, {@code GET /admin/policy},
 * {@code POST /admin/reload}. Its own listener and event loop: nothing of it ever reaches the
 * upstream or counts against a limit. With a token, every endpoint but the two health checks wants
 * {@code Authorization: Bearer <token>} (else 401). Answers are JSON but {@code /metrics} and
 * {@code /healthz}.
 */
public final class AdminServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the admin port shows of the process and asks of it. */
  public interface Process {
    /** The policy file in effect. */
    PolicyFile policy();

    /** When it took effect. */
    Instant loadedAt();

    /** {@code starting}, {@code ready} or {@code draining}. */
    String state();

    /** {@code ok}, or {@code degraded} while {@code on-failure} decides for a dead store. */
    String store();

    /** Reloads the policy file. */
    Reload reload();

    /** The limiter in effect. */
    io.tollgate.core.RateLimiter limiter();

    /** The heavy hitters per limit. */
    io.tollgate.server.metrics.TopKeys top();
  }

  private final Server server;
  private final EventLoopGroup loop;

  private AdminServer(Server server, EventLoopGroup loop) {
    this.server = server;
    this.loop = loop;
  }

  /**
   * Starts the admin port on {@code listen}.
   *
   * @param token the token in effect, read for every request (a reload may change it); null or empty: none
   * @throws GatewayServer.GatewayStartException when the port cannot be opened
   */
  public static AdminServer start(Settings.Listen listen, Supplier<String> token, Process process, Metrics metrics) {
    EventLoopGroup loop = EventLoopGroups.newEventLoopGroup(1);
    ServerBuilder sb = Server.builder().workerGroup(loop, false).blockingTaskExecutor(2)
        .meterRegistry(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    sb.http(listen.host() == null ? new InetSocketAddress(listen.port()) : new InetSocketAddress(listen.host(), listen.port()));
    sb.route().get("/healthz").build((ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "ok\n"));
    sb.route().get("/readyz").build((ctx, req) -> ready(process));
    sb.route().get("/metrics").build(guarded(token, (ctx, req) -> HttpResponse.of(HttpStatus.OK,
        MediaType.parse("text/plain; version=0.0.4; charset=utf-8"), metrics.scrape())));
    sb.route().get("/admin/policy").build(guarded(token, (ctx, req) -> json(HttpStatus.OK, policy(process))));
    sb.route().post("/admin/reload").build(guarded(token, (ctx, req) -> HttpResponse.of(
        CompletableFuture.supplyAsync(() -> reloaded(process.reload()), ctx.blockingTaskExecutor()))));
    sb.route().post("/admin/explain").build(guarded(token, (ctx, req) -> HttpResponse.of(req.aggregate()
        .thenApplyAsync(body -> Requests.explain(process.limiter(), paths(process), body.contentUtf8()), ctx.blockingTaskExecutor()))));
    sb.route().post("/admin/reset").build(guarded(token, (ctx, req) -> HttpResponse.of(req.aggregate()
        .thenApplyAsync(body -> Requests.reset(process.limiter(), paths(process), body.contentUtf8(), ctx.queryParam("limit")),
            ctx.blockingTaskExecutor()))));
    sb.route().get("/admin/top").build(guarded(token, (ctx, req) -> Requests.top(process.limiter(), process.top(),
        ctx.queryParam("limit"), ctx.queryParam("n"))));
    sb.route().get("/admin/bans").build(guarded(token, (ctx, req) -> HttpResponse.of(CompletableFuture.supplyAsync(
        () -> Requests.bans(process.limiter(), ctx.queryParam("max")), ctx.blockingTaskExecutor()))));
    sb.route().delete("/admin/bans").build(guarded(token, (ctx, req) -> HttpResponse.of(req.aggregate()
        .thenApplyAsync(body -> Requests.liftBan(process.limiter(), body.contentUtf8()), ctx.blockingTaskExecutor()))));
    sb.serviceUnder("/", guarded(token, (ctx, req) -> json(HttpStatus.NOT_FOUND, error("no such admin endpoint: "
        + req.method() + " " + req.path() + " (see docs/operations.md)"))));
    Server server = sb.build();
    try {
      server.start().join();
    } catch (RuntimeException e) {
      loop.shutdownGracefully();
      throw new GatewayServer.GatewayStartException(GatewayServer.GatewayStartException.of(e, listen).getMessage()
          .replaceFirst("^cannot listen on ", "cannot open the admin port on ")
          .replace("choose another with 'listen:'", "choose another with 'admin.listen:', or 'off'"), e);
    }
    return new AdminServer(server, loop);
  }

  /** How request paths are read now (explain and reset read them as the gateway does). */
  private static io.tollgate.core.RequestPath.EncodedSlash paths(Process process) {
    return process.policy().settings().http().encodedSlash();
  }

  private static HttpService guarded(Supplier<String> token, HttpService service) {
    return (ctx, req) -> {
      String t = token.get();
      if (t != null && !t.isEmpty() && !authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION), t)) {
        return HttpResponse.of(ResponseHeaders.builder(HttpStatus.UNAUTHORIZED).contentType(MediaType.JSON_UTF_8)
            .set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tollgate-admin\"").build(),
            com.linecorp.armeria.common.HttpData.ofUtf8(JSON.writeValueAsString(
                error("this endpoint wants Authorization: Bearer <admin.token>"))));
      }
      return service.serve(ctx, req);
    };
  }

  /** Compares in constant time: how long a wrong token takes says nothing of the right one. */
  private static boolean authorized(String header, String token) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse ready(Process process) throws Exception {
    String state = process.state();
    ObjectNode o = JSON.createObjectNode().put("status", state).put("policy", process.policy().sha256())
        .put("store", process.store());
    return json(state.equals("ready") ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE, o);
  }

  private static HttpResponse reloaded(Reload r) {
    ObjectNode o = JSON.createObjectNode().put("result", r.result().text()).put("sha256", r.sha256());
    if (r.result() == Reload.Result.REJECTED) {
      ArrayNode errors = o.putArray("errors");
      for (PolicyError e : r.errors()) {
        errors.add(e.toString());
      }
    }
    if (!r.restartNeeded().isEmpty()) {
      ArrayNode restart = o.putArray("restart_needed");
      r.restartNeeded().forEach(restart::add);
    }
    try {
      return json(r.result() == Reload.Result.REJECTED ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.OK, o);
    } catch (Exception e) {
      return HttpResponse.ofFailure(e);
    }
  }

  /** The policy in effect as {@code check} summarises it, as JSON. */
  static ObjectNode policy(Process process) {
    PolicyFile f = process.policy();
    ObjectNode o = JSON.createObjectNode().put("file", f.source()).put("sha256", f.sha256())
        .put("loaded_at", process.loadedAt().toString());
    Settings s = f.settings();
    o.put("listen", s.listen().toString()).put("upstream", s.upstream() == null ? null : s.upstream().url())
        .put("store", s.store().describe());
    ArrayNode routes = o.putArray("routes");
    for (Route r : f.policy().routes()) {
      ObjectNode route = routes.addObject().put("name", r.name());
      r.patterns().forEach(route.putArray("match")::add);
    }
    ArrayNode limits = o.putArray("limits");
    for (Limit l : f.policy().limits()) {
      ObjectNode limit = limits.addObject().put("name", l.name()).put("algorithm", l.algorithm().text())
          .put("limit", l.limit());
      if (l.algorithm() != Algorithm.CONCURRENCY) {
        limit.put("window", l.windowText());
      }
      if (l.algorithm() == Algorithm.TOKEN_BUCKET) {
        limit.put("burst", l.burst());
      }
      limit.put("cost", l.cost()).put("mode", l.mode() == Mode.SHADOW ? "shadow" : "enforce");
      ArrayNode key = limit.putArray("key");
      for (List<KeyPart> chain : l.key()) {
        StringBuilder c = new StringBuilder();
        for (KeyPart p : chain) {
          c.append(c.length() == 0 ? "" : "|").append(p);
        }
        key.add(c.toString());
      }
      l.routes().forEach(limit.putArray("routes")::add);
      l.methods().forEach(limit.putArray("methods")::add);
      l.paths().forEach(limit.putArray("paths")::add);
    }
    return o;
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static HttpResponse json(HttpStatus status, ObjectNode body) throws Exception {
    return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsString(body));
  }

  /** The port it listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  @Override
  public void close() {
    server.stop().join();
    loop.shutdownGracefully();
  }
}
