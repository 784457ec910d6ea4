package io.tollgate.client;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * A real {@link HttpClient} whose responses lose their {@code Date} header. The gateway under test
 * decides on the test's fake clock, but Armeria dates its responses by the real one; a client
 * would read the difference as the server's clock skew and move every epoch reset by it. In
 * production the two are one clock; here, dropping Date says the same (no skew).
 */
final class OnTheGatewaysClock extends HttpClient {

  private final HttpClient http = HttpClient.newBuilder().version(Version.HTTP_1_1).build();

  @Override
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    return new Undated<>(http.send(request, handler));
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    return http.sendAsync(request, handler).thenApply(Undated::new);
  }

  @Override
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
      HttpResponse.PushPromiseHandler<T> push) {
    return http.sendAsync(request, handler, push).thenApply(Undated::new);
  }

  @Override
  public Optional<CookieHandler> cookieHandler() {
    return http.cookieHandler();
  }

  @Override
  public Optional<Duration> connectTimeout() {
    return http.connectTimeout();
  }

  @Override
  public Redirect followRedirects() {
    return http.followRedirects();
  }

  @Override
  public Optional<ProxySelector> proxy() {
    return http.proxy();
  }

  @Override
  public SSLContext sslContext() {
    return http.sslContext();
  }

  @Override
  public SSLParameters sslParameters() {
    return http.sslParameters();
  }

  @Override
  public Optional<Authenticator> authenticator() {
    return http.authenticator();
  }

  @Override
  public Version version() {
    return http.version();
  }

  @Override
  public Optional<Executor> executor() {
    return http.executor();
  }

  private static final class Undated<T> implements HttpResponse<T> {
    private final HttpResponse<T> r;
    private final HttpHeaders headers;

    Undated(HttpResponse<T> r) {
      this.r = r;
      this.headers = HttpHeaders.of(r.headers().map(), (name, value) -> !name.equalsIgnoreCase("date"));
    }

    @Override
    public int statusCode() {
      return r.statusCode();
    }

    @Override
    public HttpRequest request() {
      return r.request();
    }

    @Override
    public Optional<HttpResponse<T>> previousResponse() {
      return r.previousResponse();
    }

    @Override
    public HttpHeaders headers() {
      return headers;
    }

    @Override
    public T body() {
      return r.body();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return r.sslSession();
    }

    @Override
    public URI uri() {
      return r.uri();
    }

    @Override
    public Version version() {
      return r.version();
    }
  }
}
