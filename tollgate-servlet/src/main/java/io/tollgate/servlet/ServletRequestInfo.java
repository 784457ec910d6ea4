package io.tollgate.servlet;

import io.tollgate.core.RequestInfo;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/** What the limiter reads of a servlet request, read in place. One per request; not thread-safe. */
final class ServletRequestInfo implements RequestInfo {

  private final HttpServletRequest request;
  private final String path;
  private final String clientIp;

  /**
   * @param path the path routes and limits match ({@link io.tollgate.core.RequestPath#forMatching}),
   *     without the context path
   */
  ServletRequestInfo(HttpServletRequest request, String path, String clientIp) {
    this.request = request;
    this.path = path;
    this.clientIp = clientIp;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    return request.getHeader(lowerCaseName);
  }

  @Override
  public String queryParam(String name) {
    return request.getQueryString() == null ? null : request.getParameter(name);
  }

  @Override
  public String clientIp() {
    return clientIp;
  }

  @Override
  public List<String> headerValues(String lowerCaseName) {
    Enumeration<String> e = request.getHeaders(lowerCaseName);
    return e == null ? List.of() : Collections.list(e);
  }

  @Override
  public List<String> queryParamValues(String name) {
    String[] v = request.getQueryString() == null ? null : request.getParameterValues(name);
    return v == null ? List.of() : List.of(v);
  }
}
