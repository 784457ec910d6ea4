package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With Spring Security in the application (every request needs a login, 401 without), the filter at
 * its default order runs first: unauthenticated requests are counted and refused once the limit is
 * spent, before Security answers them. A subclass starts the application for its class.
 */
public abstract class SecurityOrderBehaviour extends RunningApp {

  @Test
  void unauthenticatedRequestsAreLimitedBeforeSecurityAnswersThem() throws Exception {
    List<Integer> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seen.add(send("GET", "/export").statusCode());
    }
    assertThat(seen).as("the export limit (1 an hour, refused with 509) applies before the login does")
        .containsExactly(401, 509, 509);
  }
}
