package io.tollgate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.Clock;
import io.tollgate.core.Decision;
import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.core.RequestInfo;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A Redis Cluster of three masters, made by the test with redis-server and redis-cli. */
class RedisClusterTest {

  private static final RedisServer[] masters = new RedisServer[3];

  @BeforeAll
  static void startCluster() throws Exception {
    RedisServer.requireBinary();
    StringBuilder nodes = new StringBuilder();
    for (int i = 0; i < masters.length; i++) {
      masters[i] = RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000");
      nodes.append("127.0.0.1:").append(masters[i].port()).append(' ');
    }
    String out = masters[0].cli(("--cluster create " + nodes + "--cluster-replicas 0 --cluster-yes").split(" "));
    assertThat(out).contains("All 16384 slots covered");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (RedisServer m : masters) {
      while (!m.cli("cluster", "info").contains("cluster_state:ok")) {
        assertThat(System.nanoTime() < deadline).as("cluster state ok within 20 s").isTrue();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }
    }
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (RedisServer m : masters) {
      if (m != null) {
        m.close();
      }
    }
  }

  private static String uri() {
    return "redis-cluster://127.0.0.1:" + masters[0].port() + ",127.0.0.1:" + masters[1].port();
  }

  /** Key prefixes whose hash tags fall on three different masters. */
  private static String[] prefixesOnEveryMaster() throws Exception {
    String[] chosen = new String[masters.length];
    Set<String> owners = new HashSet<>();
    for (int i = 0, found = 0; found < masters.length; i++) {
      String prefix = "c" + i;
      String owner = ownerOf(prefix);
      if (owners.add(owner)) {
        chosen[found++] = prefix;
      }
    }
    return chosen;
  }

  /** Which master serves the slot of {@code {prefix}}: the one that does not answer MOVED. */
  private static String ownerOf(String prefix) throws Exception {
    for (RedisServer m : masters) {
      if (!m.cli("get", "{" + prefix + "}:probe").startsWith("MOVED")) {
        return Integer.toString(m.port());
      }
    }
    throw new AssertionError("no master owns {" + prefix + "}");
  }

  @Test
  void decisionsOverTwoLimitsAreExactOnEveryMaster() throws Exception {
    for (String prefix : prefixesOnEveryMaster()) {
      RedisStore[] stores = new RedisStore[3];
      RateLimiter[] nodes = new RateLimiter[3];
      Policy policy = Policy.builder()
          .limit(Limit.builder("per-ip").key("client-ip").limit(300).window("1d").build())
          .limit(Limit.builder("all").limit(1_000).window("1d").build())
          .build();
      for (int i = 0; i < 3; i++) {
        stores[i] = RedisStore.connect(RedisStoreTest.options(uri(), prefix).refusalCacheSize(0).build());
        nodes[i] = RateLimiter.builder(policy).clock(Clock.system()).store(stores[i]).build();
      }
      try {
        RequestInfo r = RequestInfo.builder().path("/").clientIp("192.0.2.7").build();
        int admitted = 0;
        for (int i = 0; i < 400; i++) {
          Decision d = nodes[i % 3].decide(r);
          if (d.allowed()) {
            admitted++;
          }
        }
        assertThat(admitted).as(prefix + ": " + stores[0].stats()).isEqualTo(300); // per-ip refuses the rest ...
        assertThat(nodes[0].status(r).get(1).remaining()).as(prefix).isEqualTo(700); // ... and took nothing from 'all'
        assertThat(RedisStoreTest.hammer(nodes, 16, 100, "all", "k")).as(prefix).isEqualTo(1_000);
      } finally {
        for (RedisStore s : stores) {
          s.close();
        }
      }
    }
  }
}
