package io.tollgate.core;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 or IPv6 address block such as {@code 10.0.0.0/8} or {@code ::1/128}. Immutable and thread-safe. */
public final class Cidr {

  private final String text;
  private final byte[] network;
  private final int prefix;

  private Cidr(String text, byte[] network, int prefix) {
    this.text = text;
    this.network = network;
    this.prefix = prefix;
  }

  /**
   * Parses {@code ADDRESS[/PREFIX]}; a bare address is a block of one.
   *
   * @throws IllegalArgumentException if it is not an IP literal with a valid prefix
   */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    byte[] addr = parseAddress(slash < 0 ? t : t.substring(0, slash));
    if (addr == null) {
      throw new IllegalArgumentException("bad CIDR '" + text + "' (write an IP address and a prefix: 10.0.0.0/8, ::1/128)");
    }
    int prefix = addr.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > addr.length * 8) {
        throw new IllegalArgumentException("bad CIDR '" + text + "': prefix must be 0.." + addr.length * 8);
      }
    }
    return new Cidr(t, addr, prefix);
  }

  /** Whether {@code address} (an IP literal) is in this block; {@code false} for anything that is not an IP literal. */
  public boolean contains(String address) {
    byte[] a = parseAddress(address);
    if (a == null || a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xFF << (8 - rest);
    return (a[full] & mask) == (network[full] & mask);
  }

  /**
   * The bytes of an IP literal, without any DNS look-up; {@code null} if it is not one. An IPv4-mapped
   * IPv6 address counts as its IPv4 address.
   */
  public static byte[] parseAddress(String s) {
    if (s == null || s.isEmpty()) {
      return null;
    }
    if (s.indexOf(':') < 0) {
      return parseIpv4(s);
    }
    String v6 = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    int zone = v6.indexOf('%');
    if (zone >= 0) {
      v6 = v6.substring(0, zone);
    }
    for (int i = 0; i < v6.length(); i++) {
      char c = v6.charAt(i);
      if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
        return null;
      }
    }
    try {
      return InetAddress.getByName(v6).getAddress(); // a literal with ':' is never looked up
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] parseIpv4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int value = -1;
    for (int i = 0; i <= s.length(); i++) {
      char c = i < s.length() ? s.charAt(i) : '.';
      if (c == '.') {
        if (value < 0 || part > 3) {
          return null;
        }
        out[part++] = (byte) value;
        value = -1;
      } else if (c >= '0' && c <= '9') {
        value = (value < 0 ? 0 : value * 10) + (c - '0');
        if (value > 255) {
          return null;
        }
      } else {
        return null;
      }
    }
    return part == 4 ? out : null;
  }

  @Override
  public String toString() {
    return text;
  }
}
