package io.tollgate.core.internal;

import io.tollgate.core.KeyPart;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.store.Batch;

/**
 * Writes a limit's key for a request into a batch entry: each chain of the key in turn, the first
 * alternative of a chain that has a value (tagged with its index when the chain has several, so
 * that an API key and an IP address never share a counter), or the empty value when none has one.
 * A value longer than {@value #MAX_PART_BYTES} bytes is written as its SHA-256 digest, so that a
 * caller cannot make a 1 MB counter key.
 */
final class Keys {

  static final int MAX_PART_BYTES = 256;
  private static final String[] ALTERNATIVE = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};

  private Keys() {}

  static void write(Batch batch, KeyPart[][] key, RequestInfo request, String routeName, Scratch s,
      Scratch.TenantCache tenant) {
    for (KeyPart[] chain : key) {
      boolean written = false;
      for (int alt = 0; alt < chain.length && !written; alt++) {
        written = writePart(batch, chain[alt], request, routeName, s, tenant, chain.length > 1 ? alt : -1);
      }
      if (!written) {
        batch.keyPart(null); // no value anywhere in the chain: the empty value, one shared counter
      }
    }
  }

  /** Writes the part's value if it has one; {@code alt} >= 0 tags which alternative of a chain it was. */
  private static boolean writePart(Batch batch, KeyPart part, RequestInfo request, String routeName, Scratch s,
      Scratch.TenantCache tenant, int alt) {
    String value;
    switch (part.kind()) {
      case CLIENT_IP:
        value = request.clientIp();
        break;
      case ROUTE:
        value = routeName;
        break;
      case METHOD:
        value = request.method();
        break;
      case PATH:
        value = request.path();
        break;
      case API_KEY:
        value = tenant.apiKey(request);
        break;
      case TENANT:
        value = tenant.tenant(request);
        break;
      case HEADER:
        value = request.header(part.name());
        break;
      case QUERY:
        value = request.queryParam(part.name());
        break;
      default: { // PARAM: a segment the matched route pattern captured, written without a copy
        int seg = s.capturedSegment(part.name());
        if (seg < 0) {
          return false;
        }
        if (alt >= 0) {
          batch.keyPart(alternative(alt));
        }
        int start = s.segments.start(seg);
        int end = s.segments.end(seg);
        if (end - start > MAX_PART_BYTES / 3) {
          batch.keyPart(bounded(request.path().substring(start, end)));
        } else {
          batch.keyPart(request.path(), start, end);
        }
        return true;
      }
    }
    if (value == null || value.isEmpty()) {
      return false;
    }
    if (alt >= 0) {
      batch.keyPart(alternative(alt));
    }
    batch.keyPart(bounded(value));
    return true;
  }

  private static String alternative(int alt) {
    return alt < ALTERNATIVE.length ? ALTERNATIVE[alt] : Integer.toString(alt);
  }

  /** {@code value}, or {@code sha256:<base64url>} of it when it is longer than {@link #MAX_PART_BYTES} bytes. */
  static String bounded(String value) {
    if (value.length() <= MAX_PART_BYTES / 3) { // at most 3 UTF-8 bytes a char: short enough whatever it holds
      return value;
    }
    byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (utf8.length <= MAX_PART_BYTES) {
      return value;
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(utf8);
      return "sha256:" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * The key {@link #write} writes, as text for people: each chain's part that has a value as
   * {@code part=value}, chains joined by {@code , }; {@code (shared)} for a key of no part.
   */
  static String describe(KeyPart[][] key, RequestInfo request, String routeName, Scratch s, Scratch.TenantCache tenant) {
    if (key.length == 0) {
      return "(shared)";
    }
    StringBuilder out = new StringBuilder();
    for (KeyPart[] chain : key) {
      String text = null;
      for (KeyPart part : chain) {
        String value = valueOf(part, request, routeName, s, tenant);
        if (value != null && !value.isEmpty()) {
          text = part + "=" + bounded(value);
          break;
        }
      }
      out.append(out.length() == 0 ? "" : ", ").append(text == null ? chainText(chain) + "=(none)" : text);
    }
    return out.toString();
  }

  private static String chainText(KeyPart[] chain) {
    StringBuilder t = new StringBuilder();
    for (KeyPart p : chain) {
      t.append(t.length() == 0 ? "" : "|").append(p);
    }
    return t.toString();
  }

  private static String valueOf(KeyPart part, RequestInfo request, String routeName, Scratch s,
      Scratch.TenantCache tenant) {
    switch (part.kind()) {
      case CLIENT_IP:
        return request.clientIp();
      case ROUTE:
        return routeName;
      case METHOD:
        return request.method();
      case PATH:
        return request.path();
      case API_KEY:
        return tenant.apiKey(request);
      case TENANT:
        return tenant.tenant(request);
      case HEADER:
        return request.header(part.name());
      case QUERY:
        return request.queryParam(part.name());
      default:
        int seg = s.capturedSegment(part.name());
        return seg < 0 ? null : request.path().substring(s.segments.start(seg), s.segments.end(seg));
    }
  }

  /**
   * The text {@link #describe} gives, read back from key parts as {@link #write} wrote them (the
   * parts after the spec's id): for keys found in a store.
   */
  static String decode(KeyPart[][] key, byte[] parts) {
    if (key.length == 0) {
      return "(shared)";
    }
    int[] at = {0};
    StringBuilder out = new StringBuilder();
    for (KeyPart[] chain : key) {
      String first = part(parts, at);
      String text;
      if (first == null) {
        text = "(unreadable)";
      } else if (first.isEmpty()) {
        text = chainText(chain) + "=(none)";
      } else if (chain.length > 1) { // an alternative's index, then its value
        int alt = alternativeIndex(first);
        String value = part(parts, at);
        text = (alt >= 0 && alt < chain.length ? chain[alt].toString() : chainText(chain)) + "=" + value;
      } else {
        text = chain[0] + "=" + first;
      }
      out.append(out.length() == 0 ? "" : ", ").append(text);
    }
    return out.toString();
  }

  private static int alternativeIndex(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** One length-prefixed part (a varint count of chars, then CESU-8), or {@code null} past the end. */
  private static String part(byte[] b, int[] at) {
    int p = at[0];
    int n = 0;
    int shift = 0;
    while (true) {
      if (p >= b.length) {
        return null;
      }
      byte x = b[p++];
      n |= (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        break;
      }
      shift += 7;
    }
    StringBuilder s = new StringBuilder(n);
    for (int j = 0; j < n && p < b.length; j++) {
      int c = b[p++] & 0xFF;
      if (c >= 0xE0) {
        if (p + 2 > b.length) {
          return null;
        }
        c = ((c & 0x0F) << 12) | ((b[p++] & 0x3F) << 6) | (b[p++] & 0x3F);
      } else if (c >= 0xC0) {
        if (p + 1 > b.length) {
          return null;
        }
        c = ((c & 0x1F) << 6) | (b[p++] & 0x3F);
      }
      s.append((char) c);
    }
    at[0] = p;
    return s.toString();
  }
}
