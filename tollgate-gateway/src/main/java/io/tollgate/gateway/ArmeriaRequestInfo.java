package io.tollgate.gateway;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import io.tollgate.core.RequestInfo;
import java.util.List;

/** What the limiter reads of an Armeria request, read in place. One per request; not thread-safe. */
final class ArmeriaRequestInfo implements RequestInfo {

  private final RequestHeaders headers;
  private final String path;
  private final String rawQuery;
  private final String clientIp;
  private QueryParams query;

  /**
   * @param path the path routes and limits match ({@link io.tollgate.core.RequestPath#forMatching})
   * @param rawQuery the query string without its '?', or {@code null}
   */
  ArmeriaRequestInfo(RequestHeaders headers, String path, String rawQuery, String clientIp) {
    this.headers = headers;
    this.path = path;
    this.rawQuery = rawQuery;
    this.clientIp = clientIp;
  }

  @Override
  public String method() {
    return headers.method().name();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    String v = headers.get(lowerCaseName);
    // An HTTP/2 request names its host in :authority only: header:Host reads it there.
    return v == null && lowerCaseName.equals("host") ? headers.authority() : v;
  }

  @Override
  public String queryParam(String name) {
    return rawQuery == null ? null : query().get(name);
  }

  private QueryParams query() {
    if (query == null) {
      query = QueryParams.fromQueryString(rawQuery);
    }
    return query;
  }

  @Override
  public String clientIp() {
    return clientIp;
  }

  /** Every value of the header; one list entry, without a copy, when it is sent once. */
  @Override
  public List<String> headerValues(String lowerCaseName) {
    String first = headers.get(lowerCaseName);
    if (first == null) {
      return List.of();
    }
    return first == headers.getLast(lowerCaseName) ? List.of(first) : headers.getAll(lowerCaseName);
  }

  @Override
  public List<String> queryParamValues(String name) {
    return rawQuery == null ? List.of() : query().getAll(name);
  }
}
