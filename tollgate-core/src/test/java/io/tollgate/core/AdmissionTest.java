package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The caller's address as a door reads it: X-Forwarded-For only from a trusted proxy. */
class AdmissionTest {

  private final RateLimiter limiter = RateLimiter.builder(Policy.builder()
      .limit(Limit.builder("per-ip").limit(5).window("1m").key("client-ip").build()).build()).build();
  private final InetSocketAddress proxy = InetSocketAddress.createUnresolved("10.0.0.2", 0);

  @Test
  void withNoTrustedProxyForwardedForIsNotReadAndNotBelieved() {
    Admission a = Admission.builder(limiter).build();
    assertThat(a.readsForwardedFor()).isFalse();
    assertThat(a.clientIp(proxy, "198.51.100.7")).isEqualTo("10.0.0.2");
  }

  @Test
  void aTrustedProxyNamesTheCaller() {
    Admission a = Admission.builder(limiter).trustedProxies(List.of(Cidr.parse("10.0.0.0/8"))).build();
    assertThat(a.readsForwardedFor()).isTrue();
    assertThat(a.clientIp(proxy, "198.51.100.7, 10.0.0.9")).isEqualTo("198.51.100.7");
    assertThat(a.clientIp(InetSocketAddress.createUnresolved("203.0.113.5", 0), "198.51.100.7"))
        .as("a peer that is no proxy of ours").isEqualTo("203.0.113.5");
  }
}
