package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One Spring Boot application for a test class, driven over HTTP: {@link #use} it once started
 * ({@link #app}, {@link #base}); it is closed after the class.
 */
public abstract class RunningApp {

  protected static ConfigurableApplicationContext app;
  protected static String base;
  protected static HttpClient http = HttpClient.newHttpClient();

  /** Points the tests at {@code started}, listening on its {@code local.server.port}. */
  protected static void use(ConfigurableApplicationContext started) {
    app = started;
    base = "http://127.0.0.1:" + started.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  protected static void stopApp() {
    if (app != null) {
      app.close();
      app = null;
    }
  }

  /** Closes the application, then {@code server} (its Redis: the application goes first). */
  protected static void stopAppThen(AutoCloseable server) throws Exception {
    stopApp();
    if (server != null) {
      server.close();
    }
  }

  protected static HttpResponse<String> send(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
        HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  protected static HttpResponse<String> call(String method, String path, String... headers) {
    try {
      return send(method, path, headers);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  protected static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() < deadline).as("waited 10 s for " + what).isTrue();
      LockSupport.parkNanos(1_000_000);
    }
  }

}
