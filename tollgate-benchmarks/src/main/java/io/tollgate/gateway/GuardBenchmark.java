package io.tollgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the HTTP/1 head check ({@link Http1Guard}) costs a request: one request head pushed through
 * a Netty pipeline with the guard ({@code guarded}) and without ({@code bare}), in the same run.
 * {@code head} is wrk's 40-byte request, or a browser's 484-byte one (cookies, user agent, accept
 * lists). Lives in the gateway's package: the guard is not public.
 *
 * <pre>
 * ./mvnw -q -pl tollgate-benchmarks -am package -DskipTests
 * java -jar tollgate-benchmarks/target/benchmarks.jar GuardBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class GuardBenchmark {

  private static final String BROWSER = "GET /api/v1/items/42?expand=true HTTP/1.1\r\nHost: api.example.com\r\n"
      + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n"
      + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
      + "Accept-Language: en-US,en;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n"
      + "Cookie: session=abcdef0123456789abcdef0123456789; theme=dark; tracking=xyz0123456789\r\n"
      + "X-Api-Key: k-0123456789abcdef\r\nConnection: keep-alive\r\n\r\n";

  @Param({"wrk", "browser"})
  public String head;

  private byte[] bytes;
  private EmbeddedChannel guarded;
  private EmbeddedChannel bare;

  @Setup
  public void setUp() {
    bytes = (head.equals("wrk") ? "GET / HTTP/1.1\r\nHost: 127.0.0.1:18084\r\n\r\n" : BROWSER)
        .getBytes(StandardCharsets.ISO_8859_1);
    guarded = channel();
    Http1Guard.install(guarded.pipeline());
    bare = channel();
  }

  private static EmbeddedChannel channel() {
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ((ByteBuf) msg).release(); // where Netty's HTTP decoder would be
      }
    });
    return ch;
  }

  @Benchmark
  public boolean guarded() {
    return guarded.writeInbound(Unpooled.wrappedBuffer(bytes));
  }

  @Benchmark
  public boolean bare() {
    return bare.writeInbound(Unpooled.wrappedBuffer(bytes));
  }
}
