package io.tollgate.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The caller's address: the socket's peer, unless that peer is a trusted proxy; then the right-most
 * {@code X-Forwarded-For} address that is not itself trusted. X-Forwarded-For from an untrusted peer
 * is ignored, so a client cannot choose its own address.
 */
public final class ClientAddress {

  private final Cidr[] trusted;

  /** @param trusted the proxies whose X-Forwarded-For is believed */
  public ClientAddress(List<Cidr> trusted) {
    this.trusted = trusted.toArray(new Cidr[0]);
  }

  /**
   * The caller's address, as text.
   *
   * @param peer the socket's peer
   * @param forwardedFor the request's X-Forwarded-For, or {@code null}
   */
  public String resolve(InetSocketAddress peer, String forwardedFor) {
    InetAddress address = peer.getAddress();
    String ip = address == null ? peer.getHostString() : address.getHostAddress();
    if (trusted.length == 0 || forwardedFor == null || !isTrusted(ip)) {
      return ip;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (hop.isEmpty()) {
        continue;
      }
      if (!isTrusted(hop)) {
        return Cidr.parseAddress(hop) == null ? ip : hop;
      }
    }
    return ip;
  }

  private boolean isTrusted(String ip) {
    for (Cidr c : trusted) {
      if (c.contains(ip)) {
        return true;
      }
    }
    return false;
  }
}
