package io.tollgate.spring.reactive;

import io.tollgate.spring.SecurityOrderBehaviour;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.SpringApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;

/**
 * {@link SecurityOrderBehaviour} in a WebFlux application that declares its own Spring Security chain
 * ({@code @EnableWebFluxSecurity}): at Security's own order (-100) the filter ran after it here.
 */
class TollgateWebFluxSecurityOrderTest extends SecurityOrderBehaviour {

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
}
