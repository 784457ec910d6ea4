package io.tollgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 256 MB up and 256 MB down through a gateway whose heap is capped at 128 MB: bodies are streamed. */
class StreamingTest {

  private static final long SIZE = 256L * 1024 * 1024;

  static {
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  @Test
  void bodiesLargerThanTheHeapGoThroughBothWays(@TempDir Path dir) throws Exception {
    HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.createContext("/upload", exchange -> {
      long n = 0;
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = exchange.getRequestBody()) {
        for (int r; (r = in.read(buf)) > 0; ) {
          n += r;
        }
      }
      byte[] body = Long.toString(n).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    upstream.createContext("/download", exchange -> {
      exchange.sendResponseHeaders(200, SIZE);
      byte[] chunk = new byte[64 * 1024];
      try (OutputStream out = exchange.getResponseBody()) {
        for (long sent = 0; sent < SIZE; sent += chunk.length) {
          out.write(chunk);
        }
      }
    });
    upstream.start();
    try (ServeProcess gateway = ServeProcess.start(dir, "upstream: http://127.0.0.1:" + upstream.getAddress().getPort()
        + "\nupstream-timeout: 60s\nlimits:\n  - {name: a, limit: 100, window: 1m}\n", "-Xmx128m")) {
      int port = gateway.port;
      // The JDK client's default (asks for h2c on a new connection). Both bodies once stalled here,
      // about one run in ten, until the upstream connection shared the client's event loop
      // (SameLoopScheduler).
      HttpClient http = HttpClient.newHttpClient();

      HttpResponse<String> up = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/upload"))
          .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> zeros(SIZE)), SIZE))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(up.statusCode()).isEqualTo(200);
      assertThat(up.body()).isEqualTo(Long.toString(SIZE));

      HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/download"))
          .build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(down.statusCode()).isEqualTo(200);
      long n = 0;
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = down.body()) {
        for (int r; (r = in.read(buf)) > 0; ) {
          n += r;
        }
      }
      assertThat(n).isEqualTo(SIZE);
      assertThat(gateway.process.isAlive()).as("no OutOfMemoryError").isTrue();
    } finally {
      upstream.stop(0);
    }
  }

  private static InputStream zeros(long size) {
    return new InputStream() {
      private long left = size;

      @Override
      public int read() {
        if (left == 0) {
          return -1;
        }
        left--;
        return 0;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left == 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 0);
        left -= n;
        return n;
      }
    };
  }
}
