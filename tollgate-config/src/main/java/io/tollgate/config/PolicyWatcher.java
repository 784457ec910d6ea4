package io.tollgate.config;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads when the policy file's directory (or the Envoy configuration's) changes: the file written in place, replaced by a rename
 * (what editors do), or reached through a symlink that is swapped (a Kubernetes ConfigMap). Changes
 * settle for {@link #SETTLE_MILLIS} first, so a burst of events is one reload; a reload of the same
 * bytes changes nothing. One daemon thread.
 */
public final class PolicyWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate");
  /** How long changes settle before one reload. */
  public static final long SETTLE_MILLIS = 200;

  private final WatchService watch;
  private final Thread thread;

  private PolicyWatcher(WatchService watch, Runnable reload) {
    this.watch = watch;
    this.thread = new Thread(() -> run(reload), "tollgate-policy-watch");
    thread.setDaemon(true);
  }

  /**
   * Watches the directory of each file of {@code paths}, and each directory of them itself (an Envoy
   * configuration directory); {@code null} (with a warning) where they cannot be watched.
   */
  public static PolicyWatcher start(List<Path> paths, Runnable reload) {
    WatchService watch = null;
    Path dir = null;
    try {
      watch = FileSystems.getDefault().newWatchService();
      java.util.Set<Path> dirs = new java.util.LinkedHashSet<>();
      for (Path p : paths) {
        Path abs = p.toAbsolutePath();
        dirs.add(Files.isDirectory(abs) ? abs : abs.getParent());
      }
      for (Path d : dirs) {
        dir = d;
        d.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
      PolicyWatcher w = new PolicyWatcher(watch, reload);
      w.thread.start();
      return w;
    } catch (IOException e) {
      log.warn("cannot watch {} for changes ({}): reload with SIGHUP instead", dir, e.toString());
      if (watch != null) {
        try {
          watch.close();
        } catch (IOException ignored) {
          // nothing more to do
        }
      }
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
