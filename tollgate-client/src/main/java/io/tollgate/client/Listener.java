package io.tollgate.client;

import java.net.http.HttpRequest;
import java.time.Duration;

/**
 * Told what the client does about limits, for logs and metrics. Called on the thread that is
 * sending or completing; keep it quick. Every method does nothing by default.
 */
public interface Listener {

  /**
   * {@code request} waited {@code wait} in its bucket's queue before it was sent (for a reset, a
   * declared limit, spreading, a concurrency slot, or a retry's backoff); told as it is sent.
   */
  default void paced(HttpRequest request, Duration wait) {}

  /** The server refused {@code request} (or failed it) with {@code status}. */
  default void refused(HttpRequest request, int status) {}

  /** {@code request} will be sent again, as attempt {@code attempt}, in {@code wait} or later. */
  default void retryScheduled(HttpRequest request, int attempt, Duration wait) {}

  /** The server said {@code request}'s kept copy is still good (304): answered from the cache. */
  default void cacheHit(HttpRequest request) {}
}
