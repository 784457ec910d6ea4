package io.tollgate.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The opt-in ETag / Last-Modified cache, against a real server that answers 304 to a matching validator. */
class CacheTest {

  private final List<String> validators = new ArrayList<>(); // what each request brought: "-" for none
  private final AtomicInteger remaining = new AtomicInteger(100);
  private final AtomicInteger hits = new AtomicInteger();
  private TinyServer server;

  @AfterEach
  void stop() throws Exception {
    server.close();
  }

  /**
   * {@code /doc/*}: ETag "v1" (per Authorization: "v1-alice"); {@code /dated}: Last-Modified;
   * {@code /secret}: an ETag and no-store. Each answer counts one unit down in X-RateLimit-Remaining.
   */
  private void start() throws Exception {
    server = new TinyServer(request -> {
      String inm = request.headers().get("if-none-match");
      String ims = request.headers().get("if-modified-since");
      synchronized (validators) {
        validators.add(inm != null ? inm : ims != null ? ims : "-");
      }
      String left = Integer.toString(remaining.decrementAndGet());
      String who = request.headers().getOrDefault("authorization", "");
      if (request.target().startsWith("/doc/")) {
        String etag = "\"v1" + (who.isEmpty() ? "" : "-" + who) + "\"";
        if (etag.equals(inm)) {
          return new TinyServer.Response(304, "ETag", etag, "X-RateLimit-Remaining", left);
        }
        return new TinyServer.Response(200, TinyServer.headers("ETag", etag, "Content-Type", "text/plain",
            "X-RateLimit-Remaining", left), "body of " + request.target() + " for " + who);
      }
      if (request.target().equals("/dated")) {
        String lm = "Wed, 04 Mar 2026 00:00:00 GMT";
        if (lm.equals(ims)) {
          return new TinyServer.Response(304, "X-RateLimit-Remaining", left);
        }
        return new TinyServer.Response(200, TinyServer.headers("Last-Modified", lm), "dated");
      }
      return new TinyServer.Response(200, TinyServer.headers("ETag", "\"s\"", "Cache-Control", "no-store"), "secret");
    });
  }

  private TollgateClient client(int entries, long bytes) {
    return TollgateClient.builder().cache(entries, bytes).listener(new Listener() {
      @Override
      public void cacheHit(HttpRequest request) {
        hits.incrementAndGet();
      }
    }).build();
  }

  private HttpResponse<String> get(TollgateClient c, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri(path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aSecondGetRevalidatesWithTheEtagAndA304IsAnsweredFromTheCache() throws Exception {
    start();
    TollgateClient c = client(10, 1 << 20);
    HttpResponse<String> first = get(c, "/doc/1");
    HttpResponse<String> second = get(c, "/doc/1");
    assertThat(validators).containsExactly("-", "\"v1\"");
    assertThat(second.statusCode()).as("a 304 is answered as the kept 200").isEqualTo(200);
    assertThat(second.body()).isEqualTo(first.body()).isEqualTo("body of /doc/1 for ");
    assertThat(second.headers().firstValue("Content-Type")).hasValue("text/plain");
    assertThat(second.headers().firstValue("X-RateLimit-Remaining")).as("the 304's fresh headers").hasValue("98");
    assertThat(hits.get()).isEqualTo(1);
    HttpResponse<InputStream> streamed = c.send(HttpRequest.newBuilder(server.uri("/doc/1")).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = streamed.body()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).as("any body handler").isEqualTo(first.body());
    }
    assertThat(hits.get()).isEqualTo(2);
  }

  @Test
  void lastModifiedIsSentBackAsIfModifiedSince() throws Exception {
    start();
    TollgateClient c = client(10, 1 << 20);
    get(c, "/dated");
    assertThat(get(c, "/dated").body()).isEqualTo("dated");
    assertThat(validators).containsExactly("-", "Wed, 04 Mar 2026 00:00:00 GMT");
    assertThat(hits.get()).isEqualTo(1);
  }

  @Test
  void oneCallersCopyIsNeverAnothers() throws Exception {
    start();
    TollgateClient c = client(10, 1 << 20);
    get(c, "/doc/1", "Authorization", "alice");
    HttpResponse<String> bob = get(c, "/doc/1", "Authorization", "bob");
    assertThat(bob.body()).isEqualTo("body of /doc/1 for bob");
    assertThat(validators).as("bob's first request brought no validator of alice's").containsExactly("-", "-");
    assertThat(get(c, "/doc/1", "Authorization", "alice").body()).isEqualTo("body of /doc/1 for alice");
    assertThat(validators.get(2)).isEqualTo("\"v1-alice\"");
  }

  @Test
  void noStoreIsNotKeptAndTheCacheIsBoundedLeastRecentlyUsedFirst() throws Exception {
    start();
    TollgateClient c = client(2, 1 << 20);
    get(c, "/secret");
    get(c, "/secret");
    assertThat(validators).as("no-store: never revalidated").containsExactly("-", "-");
    validators.clear();
    get(c, "/doc/1");
    get(c, "/doc/2");
    get(c, "/doc/1"); // a hit: /doc/1 is now the most recently used
    get(c, "/doc/3"); // over two entries: /doc/2 goes
    get(c, "/doc/2"); // gone: asked afresh, kept again, and /doc/1 goes
    get(c, "/doc/3"); // still kept
    assertThat(validators).containsExactly("-", "-", "\"v1\"", "-", "-", "\"v1\"");

    TollgateClient tiny = client(10, 10); // bodies of 19 bytes: over the byte bound, never kept
    validators.clear();
    get(tiny, "/doc/1");
    get(tiny, "/doc/1");
    assertThat(validators).containsExactly("-", "-");
  }

  @Test
  void aRequestWithItsOwnValidatorOrNotAGetIsLeftAlone() throws Exception {
    start();
    TollgateClient c = client(10, 1 << 20);
    get(c, "/doc/1");
    HttpResponse<String> own = get(c, "/doc/1", "If-None-Match", "\"v1\"");
    assertThat(own.statusCode()).as("the caller asked for a 304 and gets it").isEqualTo(304);
    c.send(HttpRequest.newBuilder(server.uri("/doc/1")).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(validators).containsExactly("-", "\"v1\"", "-");
    assertThat(hits.get()).isZero();
  }
}
