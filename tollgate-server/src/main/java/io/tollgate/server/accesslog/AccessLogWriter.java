package io.tollgate.server.accesslog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tollgate.config.Settings;
import io.tollgate.gateway.AccessLogger;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON object per request, a line each, appended to standard output or a file.
 * The event loops only offer entries to a bounded queue (never waiting: when it is full the entry is
 * counted as dropped); one daemon thread encodes and writes them, flushing whenever the queue runs
 * dry. Thread-safe.
 */
public final class AccessLogWriter implements AccessLogger, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("tollgate");
  private static final JsonFactory JSON = new JsonFactory();
  private static final int QUEUE = 65_536;
  private static final Entry STOP = new Entry(0, null, null, null, 0, null, null, null, 0, 0, 0);

  private final Settings.AccessLog where;
  private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
  private final LongAdder dropped = new LongAdder();
  private final Writer out;
  private final Thread thread;

  private AccessLogWriter(Settings.AccessLog where, Writer out) {
    this.where = where;
    this.out = out;
    this.thread = new Thread(this::run, "tollgate-access-log");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Opens the log {@code where} says (creating the file's directory), {@code null} when off.
   *
   * @throws UncheckedIOException when the file cannot be opened for appending
   */
  public static AccessLogWriter open(Settings.AccessLog where) {
    if (where == null) {
      return null;
    }
    OutputStream os;
    if (where.file() == null) {
      os = new FileOutputStream(java.io.FileDescriptor.out);
    } else {
      try {
        if (where.file().getParent() != null) {
          Files.createDirectories(where.file().getParent());
        }
        os = new FileOutputStream(where.file().toFile(), true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open the access log " + where.file() + ": " + e.getMessage(), e);
      }
    }
    return new AccessLogWriter(where, new OutputStreamWriter(os, StandardCharsets.UTF_8));
  }

  /** Where it writes. */
  public Settings.AccessLog where() {
    return where;
  }

  /** Entries not written because the queue was full. */
  public long dropped() {
    return dropped.sum();
  }

  @Override
  public void log(Entry entry) {
    if (!queue.offer(entry)) {
      dropped.increment();
    }
  }

  private void run() {
    List<Entry> batch = new ArrayList<>();
    try (JsonGenerator g = JSON.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
      g.setRootValueSeparator(null);
      while (true) {
        batch.clear();
        batch.add(queue.take());
        queue.drainTo(batch);
        for (Entry e : batch) {
          if (e == STOP) {
            g.flush();
            return;
          }
          write(g, e);
        }
        g.flush();
      }
    } catch (IOException e) {
      log.error("the access log stopped: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void write(JsonGenerator g, Entry e) throws IOException {
    g.writeStartObject();
    g.writeStringField("time", Instant.ofEpochMilli(e.epochMillis()).toString());
    g.writeStringField("client_ip", e.clientIp());
    g.writeStringField("method", e.method());
    g.writeStringField("path", e.path());
    g.writeNumberField("status", e.status());
    g.writeStringField("route", e.route());
    g.writeStringField("decision", e.decision());
    g.writeStringField("limit", e.limit());
    if (e.remaining() >= 0) {
      g.writeNumberField("remaining", e.remaining());
    } else {
      g.writeNullField("remaining");
    }
    g.writeNumberField("duration_ms", Math.round(e.durationMs() * 1000) / 1000.0);
    if (e.upstreamMs() >= 0) {
      g.writeNumberField("upstream_ms", Math.round(e.upstreamMs() * 1000) / 1000.0);
    } else {
      g.writeNullField("upstream_ms");
    }
    g.writeEndObject();
    g.writeRaw('\n');
  }

  /** Writes what is queued, then closes the file (not standard output). */
  @Override
  public void close() {
    try {
      queue.put(STOP);
      thread.join(TimeUnit.SECONDS.toMillis(5));
      if (where.file() != null) {
        out.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      log.warn("closing the access log: {}", e.toString());
    }
  }
}
