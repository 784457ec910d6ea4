package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import io.tollgate.core.Decision;
import io.tollgate.core.Refusal;
import io.tollgate.core.ResponseFields;

/**
 * A decision as an HTTP answer, in one place for every front door (the gateway, the check
 * endpoint): a refusal with the refusal block's status, headers and body, a denied caller's 403, a
 * request that cannot be read. The rate-limit fields themselves come from core's
 * {@link ResponseFields}, which the servlet filter shares too.
 */
final class Answers {

  private static final String FORBIDDEN = "{\"error\":\"forbidden\",\"status\":403}";

  private Answers() {}

  /** A caller on the deny list: 403, or {@code status} when given (not 0). */
  static HttpResponse denied(int status) {
    return HttpResponse.of(HttpStatus.valueOf(status == 0 ? 403 : status), MediaType.JSON_UTF_8, FORBIDDEN);
  }

  /**
   * A refused or banned request: the refusal's status (or {@code status} when not 0), its content
   * type, the rate-limit header sets and the body, with times counted from {@code now}.
   */
  static HttpResponse refused(Decision d, long now, int status) {
    Refusal r = d.refusal();
    ResponseHeadersBuilder b = ResponseHeaders.builder(HttpStatus.valueOf(status == 0 ? r.status() : status));
    if (r.contentType() != null) {
      b.contentType(MediaType.parse(r.contentType()));
    }
    ResponseFields.headers(d, now, b::set);
    return HttpResponse.of(b.build(), HttpData.ofUtf8(ResponseFields.body(d, now)));
  }

  /** 400 for a request that will not be read: why, in a short JSON body. */
  static HttpResponse badRequest(String reason) {
    return HttpResponse.of(HttpStatus.BAD_REQUEST, MediaType.JSON_UTF_8, Json.badRequest(reason));
  }
}
