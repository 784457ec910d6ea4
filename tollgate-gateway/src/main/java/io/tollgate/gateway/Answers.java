package io.tollgate.gateway;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import io.tollgate.core.Decision;
import io.tollgate.core.HttpAnswer;
import java.util.Map;

/**
 * Core's {@link HttpAnswer} (what every front door answers: a refusal, a denied caller, a request
 * that cannot be read, the status view) as Armeria's response, for the gateway and the check endpoint.
 */
final class Answers {

  private Answers() {}

  /** A caller on the deny list: 403, or {@code status} when given (not 0). */
  static HttpResponse denied(int status) {
    return of(HttpAnswer.denied(status));
  }

  /** A refused or banned request, as {@link HttpAnswer#refused}. */
  static HttpResponse refused(Decision d, long now, int status) {
    return of(HttpAnswer.refused(d, now, status));
  }

  /** 400 for a request that will not be read: why, in a short JSON body. */
  static HttpResponse badRequest(String reason) {
    return of(HttpAnswer.badRequest(reason, 400));
  }

  static HttpResponse of(HttpAnswer a) {
    ResponseHeadersBuilder b = ResponseHeaders.builder(HttpStatus.valueOf(a.status()))
        .contentType(MediaType.parse(a.contentType()));
    for (Map.Entry<String, String> h : a.headers()) {
      b.set(h.getKey(), h.getValue());
    }
    return HttpResponse.of(b.build(), HttpData.ofUtf8(a.body()));
  }
}
