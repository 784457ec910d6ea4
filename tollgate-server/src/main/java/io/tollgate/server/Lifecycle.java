package io.tollgate.server;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server's life in the process: SIGTERM and SIGINT drain it and exit 0 (a drained stop is
 * a success, not 143); SIGHUP (which would stop a JVM by default) reloads the policy, as it does
 * nginx's configuration.
 */
public final class Lifecycle {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private Lifecycle() {}

  /**
   * Takes over the signals a running server answers: before it starts, so that one sent as soon as
   * the start line is out finds its handler.
   */
  public static void takeSignals() {
    Signals.handle("HUP", () -> {
      TollgateServer s = running;
      if (s == null) {
        log.info("SIGHUP received while starting: nothing to reload yet");
        return;
      }
      log.info("SIGHUP received: reloading");
      s.reload();
    });
  }

  private static volatile TollgateServer running;

  /** Blocks until the process is asked to stop, drains {@code server}, and halts with status 0. */
  public static void runUntilStopped(TollgateServer server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    running = server;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping, letting requests in flight finish");
      server.close();
      log.info("stopped");
      stopped.countDown();
      Runtime.getRuntime().halt(0);
    }, "tollgate-shutdown"));
    stopped.await();
  }
}
