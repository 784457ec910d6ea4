package io.tollgate.benchmarks;

import io.tollgate.core.RequestInfo;

/** A request read in place, as the gateway's is: the path and the caller's address are set per call. */
final class Caller implements RequestInfo {
  String path = "/";
  String ip = TwoLimits.CLIENT;

  @Override
  public String method() {
    return "GET";
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String header(String lowerCaseName) {
    return null;
  }

  @Override
  public String queryParam(String name) {
    return null;
  }

  @Override
  public String clientIp() {
    return ip;
  }
}
