package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Clock;
import io.tollgate.core.RateLimiter;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading a served policy file: what carries over, what is refused, what each trigger does. */
class ReloadTest {

  private static final String HEAD = "listen: 127.0.0.1:0\nadmin: {listen: off}\nupstream: echo\n";

  @TempDir
  Path dir;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private TollgateServer server;
  private int requests; // sent through remaining(): every one counts against per-ip

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private Path write(Path file, String body) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, body);
    return Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private TollgateServer start(Path file) throws Exception {
    server = TollgateServer.start(file, PolicyLoader.load(file), Clock.system());
    return server;
  }

  private HttpResponse<String> get() throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/x")).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String perIp(long limit) {
    return "limits:\n  - {name: per-ip, key: [client-ip], limit: " + limit + ", window: 1h}\n";
  }

  private String remaining() throws Exception {
    requests++;
    HttpResponse<String> r = get();
    assertThat(r.statusCode()).isEqualTo(200);
    return r.headers().firstValue("x-ratelimit-limit").orElse("-") + ":"
        + r.headers().firstValue("x-ratelimit-remaining").orElse("-");
  }

  @Test
  void aValidChangeAppliesBetweenRequestsAndCountersThatMeanTheSameCarryOver() throws Exception {
    Path file = write(dir.resolve("p.yaml"), HEAD + "reload: manual\n" + perIp(5));
    start(file);
    assertThat(List.of(remaining(), remaining(), remaining())).containsExactly("5:4", "5:3", "5:2");
    // a limit inserted before it, and its limit raised: 3 of 10 used
    write(file, HEAD + "reload: manual\nlimits:\n  - {name: other, limit: 1000, window: 1m}\n"
        + "  - {name: per-ip, key: [client-ip], limit: 10, window: 1h}\n");
    Reload r = server.reload();
    assertThat(r.result()).isEqualTo(Reload.Result.RELOADED);
    assertThat(r.sha256()).isEqualTo(PolicyLoader.load(file).sha256()).isEqualTo(server.file().sha256());
    assertThat(r.restartNeeded()).isEmpty();
    assertThat(remaining()).isEqualTo("10:6");
    assertThat(server.reload().result()).as("the same bytes again").isEqualTo(Reload.Result.UNCHANGED);
    // the window changed: that limit starts afresh
    write(file, HEAD + "reload: manual\nlimits:\n  - {name: per-ip, key: [client-ip], limit: 10, window: 2h}\n");
    assertThat(server.reload().result()).isEqualTo(Reload.Result.RELOADED);
    assertThat(remaining()).isEqualTo("10:9");
  }

  @Test
  void aFileWithAnyErrorChangesNothing() throws Exception {
    Path file = write(dir.resolve("p.yaml"), HEAD + "reload: manual\n" + perIp(5));
    start(file);
    assertThat(remaining()).isEqualTo("5:4");
    write(file, HEAD + "reload: manual\nlimits:\n  - {name: per-ip, key: [client-ip], limit: 50, window: 1x}\n");
    Reload r = server.reload();
    assertThat(r.result()).isEqualTo(Reload.Result.REJECTED);
    assertThat(r.errors()).extracting(PolicyError::toString).containsExactly(
        file + ":6:57: window: bad duration '1x': unknown unit 'x' (use ms, s, m, h or d)");
    assertThat(remaining()).as("the old policy, its counts going on").isEqualTo("5:3");
    write(file, "admin: {listen: off}\nreload: manual\n" + perIp(50));
    assertThat(server.reload().errors()).extracting(PolicyError::message).containsExactly(
        "no 'upstream': the gateway needs the base URL allowed requests go to (upstream: http://host:port), "
            + "or 'echo' for the built-in echo upstream; a file with a 'check:' or 'envoy-rls:' block and no upstream "
            + "runs those decision services alone");
    assertThat(remaining()).isEqualTo("5:2");
  }

  @Test
  void settingsThatNeedARestartAreNamedAndKeptTheRestApplies() throws Exception {
    Path file = write(dir.resolve("p.yaml"), HEAD + "reload: manual\n" + perIp(5));
    start(file);
    int port = server.port();
    write(file, "listen: 127.0.0.1:1\nadmin: {listen: off}\nupstream: echo\nstore: redis://127.0.0.1:1\n"
        + "reload: manual\nrequest-header-timeout: 2s\nidle-timeout: 5s\nmax-connections: 9\n"
        + "max-request-body: 1KB\npaths: {encoded-slash: decode}\n" + perIp(7));
    Reload r = server.reload();
    assertThat(r.result()).isEqualTo(Reload.Result.RELOADED);
    assertThat(r.restartNeeded()).containsExactly("listen", "store", "request-header-timeout", "idle-timeout",
        "max-connections");
    assertThat(server.file().settings().http()).as("paths and the body bound apply, the rest waits")
        .isEqualTo(new io.tollgate.config.Settings.Http(io.tollgate.core.RequestPath.EncodedSlash.DECODE,
            java.time.Duration.ofSeconds(10), java.time.Duration.ofSeconds(60), 10_000, 1024));
    assertThat(server.port()).isEqualTo(port);
    assertThat(server.describe()).endsWith("store memory");
    assertThat(remaining()).isEqualTo("7:6");
  }

  @Test
  void aFileReplacedByRenameIsReloadedByTheWatch() throws Exception {
    Path file = write(dir.resolve("p.yaml"), HEAD + perIp(500));
    start(file);
    assertThat(remaining()).isEqualTo("500:499");
    write(file, HEAD + perIp(900)); // as editors save: a new file renamed over the old
    awaitLimit(900);
  }

  @Test
  void aSwappedSymlinkIsReloadedByTheWatch() throws Exception {
    // as Kubernetes mounts a ConfigMap: p.yaml -> ..data/p.yaml, ..data -> a versioned directory
    Files.createDirectories(dir.resolve("v1"));
    Files.createDirectories(dir.resolve("v2"));
    Files.writeString(dir.resolve("v1/p.yaml"), HEAD + perIp(500));
    Files.writeString(dir.resolve("v2/p.yaml"), HEAD + perIp(1100));
    Files.createSymbolicLink(dir.resolve("..data"), Path.of("v1"));
    Path file = Files.createSymbolicLink(dir.resolve("p.yaml"), Path.of("..data/p.yaml"));
    start(file);
    assertThat(remaining()).isEqualTo("500:499");
    Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of("v2"));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    awaitLimit(1100);
  }

  /** Polls until the new limit is in effect; the counts of every request so far carry over. */
  private void awaitLimit(long limit) {
    String seen = Await.until("the reload to " + limit, () -> {
      try {
        return remaining();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, r -> r.startsWith(limit + ":"));
    assertThat(seen).isEqualTo(limit + ":" + (limit - requests));
  }

  @Test
  void requestsFlowingAcrossTwentyReloadsAreEachDecidedByOnePolicyAndNoneFails() throws Exception {
    String a = HEAD + "reload: manual\n" + perIp(1_000_000);
    String b = HEAD + "reload: manual\n" + perIp(2_000_000);
    Path file = write(dir.resolve("p.yaml"), a);
    start(file);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    List<String> wrong = new ArrayList<>();
    Thread load = new Thread(() -> {
      try {
        while (running.get()) {
          HttpResponse<String> r = get();
          int n = sent.incrementAndGet();
          String limit = r.headers().firstValue("x-ratelimit-limit").orElse("-");
          String policy = r.headers().firstValue("ratelimit-policy").orElse("-");
          long remaining = Long.parseLong(r.headers().firstValue("x-ratelimit-remaining").orElse("-1"));
          // one policy per response: its limit in both header sets, and the count carried over exactly
          if (r.statusCode() != 200 || !policy.equals("\"per-ip\";q=" + limit + ";w=3600")
              || remaining != Long.parseLong(limit) - n) {
            wrong.add(r.statusCode() + " " + limit + " " + policy + " remaining " + remaining + " after " + n);
          }
        }
      } catch (Exception e) {
        wrong.add(e.toString());
      }
    });
    load.start();
    for (int i = 0; i < 20; i++) {
      int before = sent.get();
      while (sent.get() < before + 5 && load.isAlive()) {
        Thread.onSpinWait();
      }
      write(file, i % 2 == 0 ? b : a);
      assertThat(server.reload().result()).isEqualTo(Reload.Result.RELOADED);
    }
    int last = sent.get();
    while (sent.get() < last + 5 && load.isAlive()) {
      Thread.onSpinWait();
    }
    running.set(false);
    load.join();
    assertThat(wrong).isEmpty();
    assertThat(sent.get()).isGreaterThan(100);
  }

  @Test
  void noReplacedLimiterStaysReachable() throws Exception {
    String a = HEAD + "reload: manual\n" + perIp(1_000_000);
    String b = HEAD + "reload: manual\n" + perIp(2_000_000);
    Path file = write(dir.resolve("p.yaml"), a);
    start(file);
    get();
    WeakReference<RateLimiter> first = new WeakReference<>(server.limiter());
    for (int i = 0; i < 100; i++) {
      write(file, i % 2 == 0 ? b : a);
      server.reload();
      get(); // each limiter decides on the event loops (their per-thread buffers)
    }
    Await.until("the first limiter collected after 100 reloads", () -> {
      System.gc();
      return first.get();
    }, limiter -> limiter == null);
  }
}
