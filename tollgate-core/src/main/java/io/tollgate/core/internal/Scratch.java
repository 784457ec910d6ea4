package io.tollgate.core.internal;

import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.RequestInfo;
import io.tollgate.core.Tenants;
import io.tollgate.core.store.Batch;

/**
 * One decision's buffers, kept per thread so that a decision allocates only its result (an
 * asynchronous decision gets its own). Holds nothing of the limiter but the compiled policy's
 * numbers and tenants, so a thread's scratch never keeps a replaced limiter alive. Not thread-safe.
 */
final class Scratch {

  final Segments segments = new Segments();
  final Batch batch = new Batch();
  final Batch releaseBatch; // a thread's own scratch only: settling uses the settling thread's
  final TenantCache tenant;
  final int[] captures;
  final int[] pathCaptures;
  final CompiledLimit.Variant[] variants;
  PathPattern matchedPattern;
  String matchedPatternText;
  int entries; // of the batch being decided
  String routeName; // of the request being decided
  private Limit[] lastLimits = new Limit[0];

  Scratch(int maxCaptures, int limitCount, boolean perThread, Tenants tenants) {
    this.releaseBatch = perThread ? new Batch() : null;
    this.captures = new int[Math.max(1, maxCaptures)];
    this.pathCaptures = new int[Math.max(1, maxCaptures)];
    this.variants = new CompiledLimit.Variant[Math.max(1, limitCount)];
    this.tenant = new TenantCache(tenants);
  }

  /**
   * The limits of {@code variants}, as an array no one writes to once made: the same array as the
   * previous decision's on this thread when the same limits applied (the usual case), so that a
   * decision allocates only its numbers.
   */
  Limit[] limitsOf(CompiledLimit.Variant[] vs, int n) {
    Limit[] last = lastLimits;
    boolean same = last.length == n;
    for (int i = 0; same && i < n; i++) {
      same = last[i] == vs[i].limit;
    }
    if (same) {
      return last;
    }
    Limit[] fresh = new Limit[n];
    for (int i = 0; i < n; i++) {
      fresh[i] = vs[i].limit;
    }
    lastLimits = fresh;
    return fresh;
  }

  void matched(PathPattern p) {
    if (matchedPattern != p) {
      matchedPattern = p;
      matchedPatternText = p == null ? null : p.toString();
    }
  }

  /** The segment the matched route pattern captured as {@code name}, or -1. */
  int capturedSegment(String name) {
    if (matchedPattern == null) {
      return -1;
    }
    int k = matchedPattern.captureNames().indexOf(name);
    return k < 0 ? -1 : captures[k];
  }

  /**
   * The tenant and API key of the request being decided, read once and only when a key needs them.
   * The request is passed in, not kept: this object lives long, and storing a young request into it
   * on every decision would cost a GC write barrier.
   */
  static final class TenantCache {
    final Tenants tenants;
    private boolean read;
    private String apiKey;
    private String tenant;

    TenantCache(Tenants tenants) {
      this.tenants = tenants;
    }

    TenantCache reset() {
      read = false;
      return this;
    }

    String apiKey(RequestInfo request) {
      read(request);
      return apiKey;
    }

    String tenant(RequestInfo request) {
      read(request);
      return tenant;
    }

    private void read(RequestInfo request) {
      if (read) {
        return;
      }
      read = true;
      if (tenants == null) {
        return;
      }
      KeyPart at = tenants.apiKey();
      apiKey = at.kind() == KeyPart.Kind.HEADER ? request.header(at.name()) : request.queryParam(at.name());
      tenant = tenants.tenantOf(apiKey);
    }
  }
}
