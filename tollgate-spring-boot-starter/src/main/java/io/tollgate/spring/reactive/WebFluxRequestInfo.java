package io.tollgate.spring.reactive;

import io.tollgate.core.RequestInfo;
import java.util.List;
import org.springframework.http.server.reactive.ServerHttpRequest;

/** What the limiter reads of a WebFlux request, read in place. One per request; not thread-safe. */
final class WebFluxRequestInfo implements RequestInfo {

  private final ServerHttpRequest request;
  private final String path;
  private final String clientIp;

  /**
   * @param path the path routes and limits match ({@link io.tollgate.core.RequestPath#forMatching}),
   *     within the application (without {@code spring.webflux.base-path})
   */
  WebFluxRequestInfo(ServerHttpRequest request, String path, String clientIp) {
    this.request = request;
    this.path = path;
    this.clientIp = clientIp;
  }

  @Override
  public String method() {
    return request.getMethod().name();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    return request.getHeaders().getFirst(lowerCaseName);
  }

  @Override
  public String queryParam(String name) {
    return request.getURI().getRawQuery() == null ? null : request.getQueryParams().getFirst(name);
  }

  @Override
  public String clientIp() {
    return clientIp;
  }

  @Override
  public List<String> headerValues(String lowerCaseName) {
    List<String> v = request.getHeaders().get(lowerCaseName);
    return v == null ? List.of() : v;
  }

  @Override
  public List<String> queryParamValues(String name) {
    List<String> v = request.getURI().getRawQuery() == null ? null : request.getQueryParams().get(name);
    return v == null ? List.of() : v;
  }
}
