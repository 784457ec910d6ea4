package io.tollgate.spring.reactive;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.redis.RedisServer;
import io.tollgate.spring.TollgatePolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WebFluxBehaviour} on a real Redis: decisions asynchronous (no thread waits for Redis), the
 * status view on Reactor's bounded-elastic threads.
 */
class TollgateWebFluxRedisTest extends WebFluxBehaviour {

  static RedisServer redis;

  @BeforeAll
  static void startApp() throws Exception {
    RedisServer.requireBinary();
    redis = RedisServer.start();
    start("--tollgate.store=" + redis.uri());
  }

  @AfterAll
  static void stopRedis() throws Exception {
    stopAppThen(redis);
  }

  @Test
  void theCountersLiveInRedis() throws Exception {
    assertThat(send("GET", "/actuator/tollgate").body()).as("tollgate.store, not the file's memory")
        .contains("\"store\":\"" + redis.uri() + " (timeout");
    assertThat(app.getBean(TollgatePolicy.class).store()).isInstanceOf(io.tollgate.redis.RedisStore.class);
  }
}
