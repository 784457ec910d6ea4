package io.tollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.core.store.Batch;
import io.tollgate.core.store.CounterStore;
import io.tollgate.core.store.LimitSpec;
import io.tollgate.core.store.MemoryStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** decideAsync counts refusals toward a ban with the store's asynchronous API, never a blocking call on a pool. */
class AsyncBanTest {

  /** A memory store that answers acquireAsync on a thread of its own, as a remote store does, and counts blocking acquires. */
  static final class RemoteLike implements CounterStore {
    final MemoryStore memory = MemoryStore.create(1000);
    final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "store-io"));
    final AtomicInteger blocking = new AtomicInteger();

    @Override
    public boolean acquire(Batch batch) {
      blocking.incrementAndGet();
      return memory.acquire(batch);
    }

    @Override
    public CompletableFuture<Boolean> acquireAsync(Batch batch) {
      return CompletableFuture.supplyAsync(() -> memory.acquire(batch), io);
    }

    @Override
    public void release(Batch batch) {
      memory.release(batch);
    }

    @Override
    public void peek(Batch batch) {
      memory.peek(batch);
    }

    @Override
    public void reset(Batch batch) {
      memory.reset(batch);
    }

    @Override
    public List<Emptied> emptied(LimitSpec spec, long nowMillis, int max) {
      return memory.emptied(spec, nowMillis, max);
    }

    @Override
    public void close() {
      io.shutdown();
      memory.close();
    }
  }

  @Test
  void refusalsCountTowardABanWithoutABlockingCall() throws Exception {
    // was: the refusal was counted by a blocking acquire on the common ForkJoin pool
    FakeClock clock = FakeClock.atWholeDay();
    try (RemoteLike store = new RemoteLike()) {
      List<String> banned = new java.util.concurrent.CopyOnWriteArrayList<>();
      RateLimiter limiter = RateLimiter.builder(Policy.builder()
              .limit(Limit.builder("w").key("client-ip").limit(1).window("1h").build())
              .ban(new Ban(List.of(List.of(KeyPart.of(KeyPart.Kind.CLIENT_IP))), 3, "1h", "1h", 403,
                  "application/json", "{}"))
              .build())
          .clock(clock).store(store).banListener((key, until) -> banned.add(key)).build();
      RequestInfo r = RequestInfo.builder().path("/").clientIp("198.51.100.7").build();
      assertThat(limiter.decideAsync(r).get(5, TimeUnit.SECONDS).allowed()).isTrue();
      for (int i = 0; i < 3; i++) {
        assertThat(limiter.decideAsync(r).get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Decision.Outcome.REFUSED);
      }
      assertThat(banned).containsExactly("client-ip=198.51.100.7");
      assertThat(limiter.decideAsync(r).get(5, TimeUnit.SECONDS).outcome()).isEqualTo(Decision.Outcome.BANNED);
      assertThat(store.blocking.get()).as("blocking acquires").isZero();
    }
  }
}
