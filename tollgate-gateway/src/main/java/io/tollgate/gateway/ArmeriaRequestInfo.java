package io.tollgate.gateway;

import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import io.tollgate.core.KeyPart;
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

  /**
   * The first of {@code identities} (headers and query parameters a key reads) that this request
   * sends twice with different values, as {@code header X-Api-Key}; {@code null} when none. The same
   * value twice is one value.
   */
  String conflictingIdentity(List<KeyPart> identities) {
    for (int i = 0; i < identities.size(); i++) {
      KeyPart p = identities.get(i);
      boolean header = p.kind() == KeyPart.Kind.HEADER;
      if (!header && rawQuery == null) {
        continue;
      }
      String first = header ? headers.get(p.name()) : query().get(p.name());
      String last = header ? headers.getLast(p.name()) : query().getLast(p.name());
      if (first == last) { // absent, or sent once (one entry: the same string): nothing to compare, nothing allocated
        continue;
      }
      List<String> values = header ? headers.getAll(p.name()) : query().getAll(p.name());
      for (int v = 1; v < values.size(); v++) {
        if (!values.get(v).equals(values.get(0))) {
          return (header ? "header " : "query parameter ") + p.name();
        }
      }
    }
    return null;
  }
}
