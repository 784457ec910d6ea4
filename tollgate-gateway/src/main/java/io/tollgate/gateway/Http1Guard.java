package io.tollgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads HTTP/1 request heads as their bytes arrive, before Netty's decoder does, and refuses what
 * could be framed two ways or read as something else: a version other than HTTP/1.0 or 1.1, a
 * malformed request line or header line (a NUL, a space before the colon, a folded line), no Host
 * or two Hosts on HTTP/1.1, a Transfer-Encoding other than one {@code chunked}, Content-Length not a
 * plain number or sent twice, or both. Netty's decoder is lenient with several of these (it serves
 * {@code HTTP/9.9}, and reads {@code Transfer-Encoding: xchunked} as no body, so the body would be
 * read as a second request): behind a proxy that frames them otherwise, that is request smuggling.
 *
 * <p>A refused request gets 400 and the connection is closed (the rest of its bytes are never
 * read); if it was not the first request on its connection, the connection is just closed (a
 * response to an earlier one may still be on its way). To know where the next request starts, the
 * guard follows each accepted request's body (Content-Length bytes, or chunks). It steps aside for
 * HTTP/2 (the connection preface {@code PRI * HTTP/2.0}). Nothing is buffered: each byte is looked
 * at once, in the read that carries it, before it is passed on, so Netty never sees a complete bad
 * head. Text is kept only of the lines it must read (the request line, Host, Content-Length,
 * Transfer-Encoding, chunk sizes), and judged by {@link Http1Head}; other header lines are checked
 * byte by byte as they pass.
 *
 * <p>One per connection, after TLS if any; touched only on the connection's event loop.
 */
final class Http1Guard extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(Http1Guard.class);
  private static final int KEPT_MAX = 256; // text kept of a line: enough for a version, a length, a chunk size
  private static final String[] FRAMING = {"host", "content-length", "transfer-encoding"};
  /** Per event loop, not per connection: bytes of a direct buffer are read through it a few KB at a time. */
  private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
    @Override
    protected byte[] initialValue() {
      return new byte[4096];
    }
  };

  private enum State { REQUEST_LINE, HEADER_LINE, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, PASS }

  private State state = State.REQUEST_LINE;
  private String problem;
  // the current line
  private final StringBuilder kept = new StringBuilder();
  private final char[] tail = new char[16]; // the last characters of a long request line: its version
  private int lineLength;
  private boolean sawCr;
  private final char[] name = new char[24]; // a header name, lower-cased, while it could be a framing one
  private int nameLength;
  private boolean inValue;
  private int framing = -1; // index in FRAMING of the current header, or -1
  private final Http1Head head = new Http1Head(); // the current request's head
  private int requests;
  private long remaining; // body or chunk bytes still to pass

  private Http1Guard() {}

  /** Puts a guard where it reads HTTP/1 in the clear: first, or just after TLS. */
  static void install(ChannelPipeline pipeline) {
    ChannelHandlerContext sni = pipeline.context(SniHandler.class);
    if (sni != null) {
      pipeline.addAfter(sni.name(), "tollgate-http1-guard", new Http1Guard());
    } else {
      pipeline.addFirst("tollgate-http1-guard", new Http1Guard());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (state != State.PASS && msg instanceof ByteBuf && scan((ByteBuf) msg) != null) {
      ((ByteBuf) msg).release();
      refuse(ctx, problem);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    log.debug("refusing a request from {}: {}", ctx.channel().remoteAddress(), why);
    state = State.PASS;
    ctx.channel().config().setAutoRead(false);
    if (requests > 0) {
      ctx.close();
      return;
    }
    byte[] b = Json.badRequest(why).getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: "
        + b.length + "\r\nconnection: close\r\n\r\n";
    ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Follows {@code buf}'s bytes (without moving its indexes); the first problem found, or {@code null}. */
  private String scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end && state != State.PASS && problem == null) {
      if (state == State.BODY || state == State.CHUNK_DATA) {
        int skip = (int) Math.min(remaining, end - i);
        i += skip;
        remaining -= skip;
        if (remaining == 0) {
          state = state == State.BODY ? State.REQUEST_LINE : State.CHUNK_END;
        }
        continue;
      }
      // the bytes in an array: a loop the JIT compiles as one, where ByteBuf.forEachByte would make
      // an interface call per byte (5 ns a byte, measured)
      int len;
      byte[] a;
      int off;
      if (buf.hasArray()) {
        a = buf.array();
        off = buf.arrayOffset() + i;
        len = end - i;
      } else {
        a = SCRATCH.get();
        len = Math.min(end - i, a.length);
        buf.getBytes(i, a, 0, len);
        off = 0;
      }
      int k = 0;
      while (k < len) {
        if (inValue && framing < 0 && !sawCr) { // most bytes: a value no rule reads, up to its line's end
          int j = k;
          for (byte b; j < len && (b = a[off + j]) != '\n' && b != '\r' && b != 0; j++) {
            // passes
          }
          lineLength += j - k;
          k = j;
          if (k == len) {
            break;
          }
        }
        if (state == State.HEADER_LINE && !inValue && lineLength > 0) { // a header name, checked and kept lower-cased
          int j = k;
          int nl = nameLength;
          char[] lower = name;
          for (int c; j < len && (c = a[off + j] & 0xFF) < 128 && Http1Head.TCHAR[c]; j++, nl++) {
            if (nl < lower.length) {
              lower[nl] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : (char) c;
            }
          }
          nameLength = nl;
          lineLength += j - k;
          k = j;
          if (k == len) {
            break;
          }
        }
        if (!process(a[off + k++])) { // stops after a line that changes state, or at a problem
          break;
        }
      }
      i += k;
    }
    return problem;
  }

  /** One byte of a head, a chunk-size line or trailers; false to stop (a problem, or a body to pass next). */
  private boolean process(byte b) {
    if (b == '\n') {
      problem = endOfLine();
      return problem == null && state != State.BODY && state != State.CHUNK_DATA && state != State.PASS;
    }
    if (sawCr) {
      problem = "a CR not followed by LF";
      return false;
    }
    if (b == '\r') {
      sawCr = true;
      return true;
    }
    if (b == 0) {
      problem = "a NUL byte in the request head";
      return false;
    }
    char c = (char) (b & 0xFF);
    if (state == State.HEADER_LINE) {
      return headerByte(c);
    }
    if (state == State.REQUEST_LINE && lineLength == 0 && requests == 0 && b == 0x16) {
      state = State.PASS; // a TLS handshake: this guard sits before TLS here, and reads nothing of it
      return false;
    }
    if (state != State.TRAILER && kept.length() < KEPT_MAX) {
      kept.append(c);
    }
    tail[lineLength++ & 15] = c;
    return true;
  }

  /** A byte of a header line: the name checked as it comes, the value kept only for a framing header. */
  private boolean headerByte(char c) {
    if (lineLength++ == 0 && (c == ' ' || c == '\t')) {
      problem = "a folded header line (obs-fold)";
      return false;
    }
    if (inValue) {
      if (framing >= 0 && kept.length() < KEPT_MAX) {
        kept.append(c);
      }
      return true;
    }
    if (c == ':') {
      if (nameLength == 0) {
        problem = "a header line without a name";
        return false;
      }
      inValue = true;
      framing = framingHeader();
      return true;
    }
    if (c >= 128 || !Http1Head.TCHAR[c]) {
      problem = "an invalid character in a header name: " + (c <= ' ' ? "'" + (c == ' ' ? "space" : "control") + "'" : "'" + c + "'");
      return false;
    }
    if (nameLength < name.length) {
      name[nameLength] = c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
    nameLength++;
    return true;
  }

  private int framingHeader() {
    for (int k = 0; k < FRAMING.length; k++) {
      String f = FRAMING[k];
      if (f.length() == nameLength && f.contentEquals(java.nio.CharBuffer.wrap(name, 0, nameLength))) {
        return k;
      }
    }
    return -1;
  }

  private String endOfLine() {
    boolean longLine = lineLength > KEPT_MAX;
    String text = kept.length() == 0 ? "" : kept.toString();
    kept.setLength(0);
    int length = lineLength;
    lineLength = 0;
    sawCr = false;
    switch (state) {
      case REQUEST_LINE:
        if (length == 0) {
          return null; // RFC 9112 2.2: empty lines before a request line are ignored
        }
        if (!longLine && text.equals("PRI * HTTP/2.0")) { // the HTTP/2 preface (prior knowledge, ALPN, after h2c's 101)
          state = State.PASS;
          return null;
        }
        return startHead(longLine ? head.longRequestLine(text, lastBytes(length)) : head.requestLine(text));
      case HEADER_LINE:
        return headerLineEnd(text, length);
      case CHUNK_SIZE:
        return chunkSize(text, longLine);
      case CHUNK_END:
        if (length != 0) {
          return "a chunk longer than its size";
        }
        state = State.CHUNK_SIZE;
        return null;
      default: // TRAILER
        if (length == 0) {
          state = State.REQUEST_LINE;
        }
        return null;
    }
  }

  private String headerLineEnd(String value, int length) {
    boolean hadValue = inValue;
    int header = framing;
    inValue = false;
    nameLength = 0;
    framing = -1;
    if (length == 0) {
      String problem = head.end();
      if (problem == null) {
        requests++;
        if (head.chunked()) {
          state = State.CHUNK_SIZE;
        } else if (head.contentLength() > 0) {
          remaining = head.contentLength();
          state = State.BODY;
        } else {
          state = State.REQUEST_LINE;
        }
      }
      return problem;
    }
    if (!hadValue) {
      return "a header line without a colon";
    }
    return header < 0 ? null : head.header(header, value.strip());
  }

  private String startHead(String problem) {
    if (problem == null) {
      state = State.HEADER_LINE;
    }
    return problem;
  }

  private String lastBytes(int length) {
    StringBuilder last = new StringBuilder(16);
    for (int k = length - 16; k < length; k++) {
      last.append(tail[k & 15]);
    }
    return last.toString();
  }

  private String chunkSize(String text, boolean longLine) {
    long size = Http1Head.chunkSize(text, longLine);
    if (size < 0) {
      return "a malformed chunk size";
    }
    if (size == 0) {
      state = State.TRAILER;
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
    return null;
  }
}
