package io.tollgate.servlet;

import io.tollgate.core.KeyPart;
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

  /**
   * The first of {@code identities} (headers and query parameters a key reads) this request sends
   * twice with different values, as {@code header X-Api-Key}; {@code null} when none.
   */
  String conflictingIdentity(List<KeyPart> identities) {
    for (KeyPart p : identities) {
      boolean header = p.kind() == KeyPart.Kind.HEADER;
      List<String> values;
      if (header) {
        Enumeration<String> e = request.getHeaders(p.name());
        values = e == null ? List.of() : Collections.list(e);
      } else {
        String[] v = request.getQueryString() == null ? null : request.getParameterValues(p.name());
        values = v == null ? List.of() : List.of(v);
      }
      for (int i = 1; i < values.size(); i++) {
        if (!values.get(i).equals(values.get(0))) {
          return (header ? "header " : "query parameter ") + p.name();
        }
      }
    }
    return null;
  }
}
