package io.tollgate.client;

import java.io.IOException;

/**
 * A request refused by the client itself, unsent: its bucket already had {@code queueLimit}
 * requests waiting. Shed the load, or raise {@link TollgateClient.Builder#queueLimit}.
 */
public final class QueueFullException extends IOException {

  private static final long serialVersionUID = 1L;

  QueueFullException(String message) {
    super(message);
  }
}
