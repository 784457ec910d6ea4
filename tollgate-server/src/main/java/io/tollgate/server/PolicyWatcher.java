package io.tollgate.server;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the policy file's directory changes: the file written in place, replaced by a rename
 * (what editors do), or reached through a symlink that is swapped (a Kubernetes ConfigMap). Changes
 * settle for {@link #SETTLE_MILLIS} first, so a burst of events is one reload; a reload of the same
 * bytes changes nothing. One daemon thread.
 */
final class PolicyWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate");
  static final long SETTLE_MILLIS = 200;

  private final WatchService watch;
  private final Thread thread;

  private PolicyWatcher(WatchService watch, Runnable reload) {
    this.watch = watch;
    this.thread = new Thread(() -> run(reload), "tollgate-policy-watch");
    thread.setDaemon(true);
  }

  /** Watches the directory of {@code file}; {@code null} (with a warning) where it cannot be watched. */
  static PolicyWatcher start(Path file, Runnable reload) {
    Path dir = file.toAbsolutePath().getParent();
    try {
      WatchService watch = FileSystems.getDefault().newWatchService();
      dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      PolicyWatcher w = new PolicyWatcher(watch, reload);
      w.thread.start();
      return w;
    } catch (IOException e) {
      log.warn("cannot watch {} for changes ({}): reload with SIGHUP instead", dir, e.toString());
      return null;
    }
  }

  private void run(Runnable reload) {
    try {
      while (true) {
        WatchKey key = watch.take();
        drain(key);
        WatchKey more;
        while ((more = watch.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) != null) { // settle
          drain(more);
        }
        try {
          reload.run();
        } catch (RuntimeException e) {
          log.error("reload after a change of the policy file failed", e);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed: the process is stopping
    }
  }

  private static void drain(WatchKey key) {
    key.pollEvents();
    key.reset();
  }

  @Override
  public void close() {
    try {
      watch.close();
    } catch (IOException e) {
      log.debug("closing the policy watch: {}", e.toString());
    }
  }
}
