package io.tollgate.spring.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.spring.RunningApp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * A WebFlux application with its own Spring Security chain ({@code @EnableWebFluxSecurity}, every
 * request needs a login, 401 without): the filter at its default order runs first, so unauthenticated
 * requests are counted and refused once the limit is spent, before Security answers them.
 */
class TollgateWebFluxSecurityOrderTest extends RunningApp {

  /** The application's own security: HTTP Basic on everything. */
  @Configuration(proxyBeanMethods = false)
  @EnableWebFluxSecurity
  static class Secured {
    @Bean
    SecurityWebFilterChain everythingNeedsALogin(ServerHttpSecurity http) {
      return http.authorizeExchange(e -> e.anyExchange().authenticated()).httpBasic(b -> {}).build();
    }
  }

  @BeforeAll
  static void start() {
    SpringApplication app = new SpringApplication(WebFluxBehaviour.ReactiveDemo.class, Secured.class);
    use(app.run("--server.port=0", "--server.address=127.0.0.1", "--spring.main.web-application-type=reactive",
        "--tollgate.policy=classpath:tollgate-test.yaml", "--spring.main.banner-mode=off", "--server.shutdown=immediate",
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
