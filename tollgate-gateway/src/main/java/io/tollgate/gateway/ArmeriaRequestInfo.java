package io.tollgate.gateway;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import io.tollgate.core.RequestInfo;

/** What the limiter reads of an Armeria request, read in place. One per request; not thread-safe. */
final class ArmeriaRequestInfo implements RequestInfo {

  private final RequestHeaders headers;
  private final String path;
  private final String rawQuery;
  private final String clientIp;
  private QueryParams query;

  ArmeriaRequestInfo(RequestHeaders headers, String clientIp) {
    this.headers = headers;
    String full = headers.path();
    int q = full.indexOf('?');
    this.path = q < 0 ? full : full.substring(0, q);
    this.rawQuery = q < 0 ? null : full.substring(q + 1);
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
    return headers.get(lowerCaseName);
  }

  @Override
  public String queryParam(String name) {
    if (rawQuery == null) {
      return null;
    }
    if (query == null) {
      query = QueryParams.fromQueryString(rawQuery);
    }
    return query.get(name);
  }

  @Override
  public String clientIp() {
    return clientIp;
  }
}
