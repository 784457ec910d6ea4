package io.tollgate.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;

/**
 * With Spring Security in the application (its default: every request needs a login, 401 without),
 * the filter at its default order runs first: unauthenticated requests are counted and refused with
 * 429 once the limit is spent, before Security answers them.
 */
class TollgateSecurityOrderTest extends RunningApp {

  @BeforeAll
  static void start() {
    use(new SpringApplication(TollgateStarterTest.Demo.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--tollgate.policy=classpath:tollgate-test.yaml", "--spring.main.banner-mode=off",
        "--spring.autoconfigure.exclude=")); // Spring Security on
  }

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
