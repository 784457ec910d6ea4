package io.tollgate.spring;

import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.SpringApplication;

/** {@link SecurityOrderBehaviour} in a servlet application with Spring Boot's default security. */
class TollgateSecurityOrderTest extends SecurityOrderBehaviour {

  @BeforeAll
  static void start() {
    use(new SpringApplication(TollgateStarterTest.Demo.class).run("--server.port=0", "--server.address=127.0.0.1",
        "--tollgate.policy=classpath:tollgate-test.yaml", "--spring.main.banner-mode=off",
        "--spring.autoconfigure.exclude=")); // Spring Security on
  }
}
