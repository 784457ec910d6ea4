package io.tollgate.benchmarks;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.cas.LettuceBasedProxyManager;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.RateLimiter;
import io.tollgate.redis.RedisStore;
import io.tollgate.redis.RedisStoreOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Decisions per second against a local Redis with many in flight: Tollgate's {@link RedisStore}
 * (one script call per decision) and Bucket4j's Lettuce proxy manager (compare-and-swap), side by
 * side in one run (Bucket4j twice: on Lettuce as it comes, and on a connection that consolidates
 * flushes as RedisStore's does), on random keys among {@code keys}, each both ways: one thread per decision in
 * flight (the blocking API) and two threads keeping them in flight (the asynchronous API); then
 * Redis memory per live Tollgate counter.
 * The ceiling (redis-benchmark running the same script) and the command are in
 * {@code tollgate-benchmarks/redis/run.sh}.
 *
 * <pre>
 * java -cp tollgate-benchmarks/target/benchmarks.jar io.tollgate.benchmarks.RedisThroughput redis://127.0.0.1:16379 10 64 100000 [tollgate-only]
 * </pre>
 */
public final class RedisThroughput {

  private RedisThroughput() {}

  public static void main(String[] args) throws Exception {
    String uri = args.length > 0 ? args[0] : "redis://127.0.0.1:16379";
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int inFlight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int keys = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
    boolean tollgateOnly = args.length > 4 && args[4].equals("tollgate-only"); // for profiling
    String[] names = new String[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = "10." + (i >>> 16 & 0xFF) + "." + (i >>> 8 & 0xFF) + "." + (i & 0xFF);
    }

    try (RedisStore store = RedisStore.connect(RedisStoreOptions.builder(uri).keyPrefix("bench")
        .timeout(Duration.ofSeconds(1)).build())) {
      RateLimiter limiter = RateLimiter.builder(Policy.builder()
          .limit(Limit.builder("per-ip").key("client-ip").limit(1_000_000_000).window("1h").build()).build())
          .store(store).build();
      IntPredicate tollgate = i -> limiter.tryAcquire("per-ip", names[i], 1).allowed();
      run("warm-up", tollgate, seconds / 2, inFlight, keys);
      double t = run("tollgate", tollgate, seconds, inFlight, keys);
      IntFunction<CompletableFuture<Boolean>> tollgateAsync =
          i -> limiter.tryAcquireAsync("per-ip", names[i], 1).thenApply(d -> d.allowed());
      runAsync("warm-up", tollgateAsync, seconds / 2, inFlight, keys);
      double ta = runAsync("tollgate-async", tollgateAsync, seconds, inFlight, keys);
      System.out.println("  " + store.stats());
      if (tollgateOnly) {
        return;
      }

      RedisClient client = RedisClient.create(uri);
      ClientResources consolidating = ClientResources.builder().nettyCustomizer(new NettyCustomizer() {
        @Override
        public void afterChannelInitialized(Channel channel) {
          channel.pipeline().addFirst(new FlushConsolidationHandler(256, true)); // as RedisStore does
        }
      }).build();
      RedisClient tuned = RedisClient.create(consolidating, uri);
      try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
          StatefulRedisConnection<byte[], byte[]> ct = tuned.connect(ByteArrayCodec.INSTANCE)) {
        double[] b = bucket4j(c, "bucket4j", names, seconds, inFlight);
        System.out.printf("tollgate / bucket4j = %.2f (threads), %.2f (async)%n", t / b[0], ta / b[1]);
        double[] bt = bucket4j(ct, "bucket4j+flush", names, seconds, inFlight);
        System.out.printf("tollgate / bucket4j on a connection that consolidates flushes too = %.2f (threads), %.2f (async)%n",
            t / bt[0], ta / bt[1]);

        RedisCommands<byte[], byte[]> redis = c.sync();
        List<byte[]> sample = redis.keys("{bench}*");
        long bytes = 0;
        int n = Math.min(1_000, sample.size());
        for (int i = 0; i < n; i++) {
          bytes += redis.memoryUsage(sample.get(i));
        }
        System.out.printf("redis memory per live tollgate counter (MEMORY USAGE, mean of %d of %d keys): %.1f bytes%n",
            n, sample.size(), (double) bytes / n);
      } finally {
        client.shutdown();
        tuned.shutdown();
        consolidating.shutdown();
      }
    }
  }

  /** Bucket4j's Lettuce proxy manager (compare-and-swap) on {@code c}: decisions per second, threads then async. */
  private static double[] bucket4j(StatefulRedisConnection<byte[], byte[]> c, String name, String[] names, int seconds,
      int inFlight) throws Exception {
    int keys = names.length;
    LettuceBasedProxyManager<byte[]> buckets = Bucket4jLettuce.casBasedBuilder(c).build();
    BucketConfiguration config = BucketConfiguration.builder()
        .addLimit(l -> l.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofHours(1))).build();
    BucketProxy[] bucket = new BucketProxy[keys];
    for (int i = 0; i < keys; i++) {
      bucket[i] = buckets.getProxy(("b4j:" + names[i]).getBytes(StandardCharsets.UTF_8), () -> config);
    }
    IntPredicate threads = i -> bucket[i].tryConsume(1);
    run("warm-up", threads, seconds / 2, inFlight, keys);
    double b = run(name, threads, seconds, inFlight, keys);
    AsyncBucketProxy[] async = new AsyncBucketProxy[keys];
    for (int i = 0; i < keys; i++) {
      async[i] = buckets.asAsync().getProxy(("b4j:" + names[i]).getBytes(StandardCharsets.UTF_8),
          () -> CompletableFuture.completedFuture(config));
    }
    IntFunction<CompletableFuture<Boolean>> asynchronous = i -> async[i].tryConsume(1);
    runAsync("warm-up", asynchronous, seconds / 2, inFlight, keys);
    double ba = runAsync(name + "-async", asynchronous, seconds, inFlight, keys);
    return new double[] {b, ba};
  }

  /**
   * {@code inFlight} decisions in flight from two threads: each completion starts the next one;
   * returns decisions per second.
   */
  private static double runAsync(String name, IntFunction<CompletableFuture<Boolean>> decide, int seconds, int inFlight,
      int keys) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder done = new LongAdder();
    LongAdder refused = new LongAdder();
    Semaphore slots = new Semaphore(inFlight);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread th = new Thread(() -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (!stop.get()) {
          try {
            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
              continue;
            }
          } catch (InterruptedException e) {
            return;
          }
          decide.apply(r.nextInt(keys)).whenComplete((allowed, error) -> {
            if (error != null || !allowed) {
              refused.increment();
            }
            done.increment();
            slots.release();
          });
        }
      });
      threads.add(th);
    }
    double rate = measure(threads, seconds, stop, done);
    slots.acquire(inFlight); // the last ones land
    report(name, inFlight + " in flight from 2 threads", keys, rate, refused);
    return rate;
  }

  /** {@code inFlight} threads, each calling {@code decide} on random keys; returns decisions per second. */
  private static double run(String name, IntPredicate decide, int seconds, int inFlight, int keys) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder done = new LongAdder();
    LongAdder refused = new LongAdder();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < inFlight; t++) {
      Thread th = new Thread(() -> {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        while (!stop.get()) {
          if (!decide.test(r.nextInt(keys))) {
            refused.increment();
          }
          done.increment();
        }
      });
      threads.add(th);
    }
    double rate = measure(threads, seconds, stop, done);
    report(name, inFlight + " in flight", keys, rate, refused);
    return rate;
  }

  /** Starts {@code threads}, lets them run {@code seconds}, stops them; returns decisions per second. */
  private static double measure(List<Thread> threads, int seconds, AtomicBoolean stop, LongAdder done) throws Exception {
    long start = System.nanoTime();
    for (Thread th : threads) {
      th.start();
    }
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    long sum = done.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    for (Thread th : threads) {
      th.join();
    }
    return sum / elapsed;
  }

  private static void report(String name, String how, int keys, double rate, LongAdder refused) {
    if (!name.equals("warm-up")) {
      System.out.printf("%-15s %s, %d keys: %,.0f decisions/s (%d refused)%n", name, how, keys, rate, refused.sum());
    }
  }
}
