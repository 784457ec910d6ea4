package io.tollgate.spring.reactive;

import org.junit.jupiter.api.BeforeAll;

/** {@link WebFluxBehaviour} on the memory store: decisions made on the request's event loop at once. */
class TollgateWebFluxTest extends WebFluxBehaviour {

  @BeforeAll
  static void startApp() {
    start();
  }
}
