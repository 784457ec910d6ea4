package io.tollgate.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
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
 * at once, in the read that carries it, before it is passed on, so Netty never sees a complete bad head.
 *
 * <p>One per connection, after TLS if any; touched only on the connection's event loop.
 */
final class Http1Guard extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(Http1Guard.class);
  private static final int LINE_MAX = 256; // kept of a line: enough for the request line's version and the framing headers

  private enum State { REQUEST_LINE, HEADER_LINE, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILER, PASS }

  private State state = State.REQUEST_LINE;
  private final StringBuilder line = new StringBuilder();
  private int lineLength; // bytes of the current line, kept or not
  private final char[] tail = new char[16]; // the last bytes of a line longer than LINE_MAX: a request line's version
  private boolean sawCr;
  private int requests;
  // the current request's head
  private boolean http11;
  private int hosts;
  private int contentLengths;
  private long contentLength;
  private int transferEncodings;
  private boolean chunked;
  private long remaining; // body or chunk bytes still to skip

  private Http1Guard() {}

  /** Puts a guard where it reads HTTP/1 in the clear: first, or just after TLS. */
  static void install(ChannelPipeline pipeline) {
    io.netty.channel.ChannelHandlerContext sni = pipeline.context(SniHandler.class);
    if (sni != null) {
      pipeline.addAfter(sni.name(), "tollgate-http1-guard", new Http1Guard());
    } else {
      pipeline.addFirst("tollgate-http1-guard", new Http1Guard());
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (state != State.PASS && msg instanceof ByteBuf) {
      ByteBuf buf = (ByteBuf) msg;
      String problem = scan(buf);
      if (problem != null) {
        buf.release();
        refuse(ctx, problem);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, String problem) {
    log.debug("refusing a request from {}: {}", ctx.channel().remoteAddress(), problem);
    state = State.PASS;
    ctx.channel().config().setAutoRead(false);
    if (requests > 0) {
      ctx.close();
      return;
    }
    StringBuilder body = new StringBuilder("{\"error\":\"bad request\",\"reason\":");
    Json.string(body, problem);
    byte[] b = body.append(",\"status\":400}").toString().getBytes(StandardCharsets.UTF_8);
    String head = "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: "
        + b.length + "\r\nconnection: close\r\n\r\n";
    ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Follows {@code buf}'s bytes (without moving its indexes); the first problem found, or {@code null}. */
  private String scan(ByteBuf buf) {
    int i = buf.readerIndex();
    int end = buf.writerIndex();
    while (i < end && state != State.PASS) {
      if (state == State.BODY || state == State.CHUNK_DATA) {
        int skip = (int) Math.min(remaining, end - i);
        i += skip;
        remaining -= skip;
        if (remaining == 0) {
          state = state == State.BODY ? State.REQUEST_LINE : State.CHUNK_END;
        }
        continue;
      }
      byte b = buf.getByte(i++);
      if (b == '\n') {
        String problem = endOfLine();
        if (problem != null) {
          return problem;
        }
        continue;
      }
      if (sawCr) {
        return "a CR not followed by LF";
      }
      if (b == '\r') {
        sawCr = true;
        continue;
      }
      if (b == 0) {
        return "a NUL byte in the request head";
      }
      if (state == State.REQUEST_LINE && lineLength == 0 && requests == 0 && b == 0x16) {
        state = State.PASS; // a TLS handshake: this guard sits before TLS here, and reads nothing of it
        return null;
      }
      char c = (char) (b & 0xFF);
      if (lineLength < LINE_MAX) {
        line.append(c);
      }
      tail[lineLength++ & 15] = c;
    }
    return null;
  }

  private String endOfLine() {
    String text = line.toString();
    boolean truncated = lineLength > LINE_MAX;
    String last = truncated ? lastBytes() : null;
    line.setLength(0);
    lineLength = 0;
    sawCr = false;
    switch (state) {
      case REQUEST_LINE:
        if (text.isEmpty() && !truncated) {
          return null; // RFC 9112 2.2: empty lines before a request line are ignored
        }
        return truncated ? longRequestLine(text, last) : requestLine(text);
      case HEADER_LINE:
        return text.isEmpty() && !truncated ? endOfHead() : headerLine(text, truncated);
      case CHUNK_SIZE:
        return chunkSize(text, truncated);
      case CHUNK_END:
        if (!text.isEmpty() || truncated) {
          return "a chunk longer than its size";
        }
        state = State.CHUNK_SIZE;
        return null;
      default: // TRAILER
        if (text.isEmpty() && !truncated) {
          state = State.REQUEST_LINE;
        }
        return null;
    }
  }

  private String lastBytes() {
    StringBuilder b = new StringBuilder(16);
    for (int k = lineLength - 16; k < lineLength; k++) {
      b.append(tail[k & 15]);
    }
    return b.toString();
  }

  /** A request line longer than what is kept: its method from the start, its version from the end. */
  private String longRequestLine(String start, String last) {
    int sp1 = start.indexOf(' ');
    int sp2 = last.lastIndexOf(' ');
    if (sp1 <= 0 || sp2 < 0 || !token(start, 0, sp1)) {
      return "a malformed request line";
    }
    return version(last.substring(sp2 + 1));
  }

  private String requestLine(String text) {
    if (text.equals("PRI * HTTP/2.0")) { // the HTTP/2 connection preface (prior knowledge, ALPN, or after h2c's 101)
      state = State.PASS;
      return null;
    }
    int sp1 = text.indexOf(' ');
    int sp2 = text.lastIndexOf(' ');
    if (sp1 <= 0 || sp2 == sp1 || text.indexOf(' ', sp1 + 1) != sp2 || !token(text, 0, sp1)) {
      return "a malformed request line";
    }
    for (int k = sp1 + 1; k < sp2; k++) {
      char c = text.charAt(k);
      if (c <= ' ' || c == 0x7F) {
        return "a control character in the request target";
      }
    }
    return version(text.substring(sp2 + 1));
  }

  private String version(String version) {
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      return "HTTP version '" + version + "' is not HTTP/1.0 or HTTP/1.1";
    }
    return startHead(version.equals("HTTP/1.1"));
  }

  private String startHead(boolean http11) {
    this.http11 = http11;
    hosts = 0;
    contentLengths = 0;
    contentLength = 0;
    transferEncodings = 0;
    chunked = false;
    state = State.HEADER_LINE;
    return null;
  }

  private String headerLine(String text, boolean truncated) {
    if (text.startsWith(" ") || text.startsWith("\t")) {
      return "a folded header line (obs-fold)";
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      return truncated ? null : "a header line without a name and a colon";
    }
    if (!token(text, 0, colon)) {
      return "an invalid header name '" + text.substring(0, colon) + "'";
    }
    String name = text.substring(0, colon).toLowerCase(Locale.ROOT);
    String value = text.substring(colon + 1).strip();
    switch (name) {
      case "host":
        hosts++;
        return null;
      case "content-length":
        contentLengths++;
        if (truncated || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return "Content-Length '" + value + "' is not a number";
        }
        contentLength = Long.parseLong(value);
        return null;
      case "transfer-encoding":
        transferEncodings++;
        if (!value.equalsIgnoreCase("chunked")) {
          return "Transfer-Encoding '" + value + "' is not 'chunked'";
        }
        chunked = true;
        return null;
      default:
        return null;
    }
  }

  private String endOfHead() {
    if (http11 && hosts != 1 || hosts > 1) {
      return hosts == 0 ? "no Host header" : "more than one Host header";
    }
    if (contentLengths > 1) {
      return "more than one Content-Length";
    }
    if (transferEncodings > 1) {
      return "more than one Transfer-Encoding";
    }
    if (chunked && contentLengths > 0) {
      return "both Content-Length and Transfer-Encoding";
    }
    requests++;
    if (chunked) {
      state = State.CHUNK_SIZE;
    } else if (contentLength > 0) {
      remaining = contentLength;
      state = State.BODY;
    } else {
      state = State.REQUEST_LINE;
    }
    return null;
  }

  private String chunkSize(String text, boolean truncated) {
    int semi = text.indexOf(';');
    String hex = (semi < 0 ? text : text.substring(0, semi)).strip();
    if (truncated && semi < 0 || hex.isEmpty() || hex.length() > 15) {
      return "a malformed chunk size";
    }
    long size = 0;
    for (int k = 0; k < hex.length(); k++) {
      int d = Character.digit(hex.charAt(k), 16);
      if (d < 0) {
        return "a malformed chunk size";
      }
      size = size << 4 | d;
    }
    if (size == 0) {
      state = State.TRAILER;
    } else {
      remaining = size;
      state = State.CHUNK_DATA;
    }
    return null;
  }

  /** RFC 9110 tchar: the characters of a method or a header name. */
  private static boolean token(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
