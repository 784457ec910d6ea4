package io.tollgate.gateway;

/**
 * The rules {@link Http1Guard} holds an HTTP/1 request head to, one line at a time: the request
 * line (method a token, target without control characters, version HTTP/1.0 or HTTP/1.1), the
 * framing headers (one Host on HTTP/1.1, at most one on 1.0; Content-Length a plain number, once;
 * Transfer-Encoding exactly {@code chunked}, once; never both), and chunk-size lines. Each method
 * returns the problem in words, or {@code null}. One per connection, reused for each request; not
 * thread-safe.
 */
final class Http1Head {

  /** RFC 9110 tchar: the characters of a method or a header name. */
  static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c : "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private boolean http11;
  private int hosts;
  private int contentLengths;
  private long contentLength;
  private int transferEncodings;
  private boolean chunked;

  /** A request line read whole; starts a new head when it is good. */
  String requestLine(String text) {
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

  /** A request line longer than what is kept: its method from {@code start}, its version from {@code last}. */
  String longRequestLine(String start, String last) {
    int sp1 = start.indexOf(' ');
    int sp2 = last.lastIndexOf(' ');
    if (sp1 <= 0 || sp2 < 0 || !token(start, 0, sp1)) {
      return "a malformed request line";
    }
    return version(last.substring(sp2 + 1));
  }

  private String version(String version) {
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      return "HTTP version '" + version + "' is not HTTP/1.0 or HTTP/1.1";
    }
    http11 = version.equals("HTTP/1.1");
    hosts = 0;
    contentLengths = 0;
    contentLength = 0;
    transferEncodings = 0;
    chunked = false;
    return null;
  }

  /**
   * A framing header's value, stripped.
   *
   * @param header 0 Host, 1 Content-Length, 2 Transfer-Encoding
   */
  String header(int header, String value) {
    switch (header) {
      case 0:
        hosts++;
        return null;
      case 1:
        contentLengths++;
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
          return "Content-Length '" + value + "' is not a number";
        }
        contentLength = Long.parseLong(value);
        return null;
      default:
        transferEncodings++;
        if (!value.equalsIgnoreCase("chunked")) {
          return "Transfer-Encoding '" + value + "' is not 'chunked'";
        }
        chunked = true;
        return null;
    }
  }

  /** The head is complete: its framing headers taken together. */
  String end() {
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
    return null;
  }

  /** Whether the body is chunked; read after {@link #end}. */
  boolean chunked() {
    return chunked;
  }

  /** The body's length when it is not chunked (0: none); read after {@link #end}. */
  long contentLength() {
    return contentLength;
  }

  /** The size a chunk-size line gives (extensions after ';' ignored), or -1 when it is malformed. */
  static long chunkSize(String text, boolean longLine) {
    int semi = text.indexOf(';');
    String hex = (semi < 0 ? text : text.substring(0, semi)).strip();
    if (longLine && semi < 0 || hex.isEmpty() || hex.length() > 15) {
      return -1;
    }
    long size = 0;
    for (int k = 0; k < hex.length(); k++) {
      int d = Character.digit(hex.charAt(k), 16);
      if (d < 0) {
        return -1;
      }
      size = size << 4 | d;
    }
    return size;
  }

  /** Whether {@code s[from, to)} is a non-empty token. */
  static boolean token(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (c >= 128 || !TCHAR[c]) {
        return false;
      }
    }
    return true;
  }
}
