package io.tollgate.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP/1.1 server on a free port, one request per connection, whose every header the test
 * writes: unlike the JDK's, it sends no {@code Date} of its own, so a server on the test's fake
 * clock can say what time it is (or say nothing).
 */
final class TinyServer implements AutoCloseable {

  /** What a request was: method, path with query, headers (names lower-cased). */
  record Request(String method, String target, Map<String, String> headers) {}

  /** What to answer: status, headers (name, value pairs), body. */
  record Response(int status, List<String[]> headers, String body) {
    Response(int status, String... namesAndValues) {
      this(status, TinyServer.headers(namesAndValues), "");
    }
  }

  /** Header pairs from names and values in turn. */
  static List<String[]> headers(String... namesAndValues) {
    List<String[]> out = new ArrayList<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      out.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
    }
    return out;
  }

  interface Handler {
    Response handle(Request request);
  }

  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newCachedThreadPool();

  TinyServer(Handler handler) throws IOException {
    socket = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    threads.execute(() -> {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          threads.execute(() -> serve(s, handler));
        } catch (IOException e) {
          return; // closed
        }
      }
    });
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
  }

  private static void serve(Socket s, Handler handler) {
    try (s) {
      s.setTcpNoDelay(true);
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
      String[] line = in.readLine().split(" ");
      Map<String, String> headers = new TreeMap<>();
      for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
        int colon = h.indexOf(':');
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      for (int i = 0; i < length; i++) {
        in.read();
      }
      Response r = handler.handle(new Request(line[0], line[1], headers));
      byte[] body = r.body().getBytes(StandardCharsets.UTF_8);
      StringBuilder out = new StringBuilder("HTTP/1.1 ").append(r.status()).append(" X\r\n");
      for (String[] h : r.headers()) {
        out.append(h[0]).append(": ").append(h[1]).append("\r\n");
      }
      out.append("Connection: close\r\n");
      if (r.status() != 304) {
        out.append("Content-Length: ").append(body.length).append("\r\n");
      }
      out.append("\r\n");
      OutputStream os = s.getOutputStream();
      os.write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (r.status() != 304) {
        os.write(body);
      }
      os.flush();
    } catch (IOException | RuntimeException e) {
      // the client went away: nothing to answer
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
    threads.shutdownNow();
  }
}
