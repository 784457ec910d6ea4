package io.tollgate.config;

import io.tollgate.core.Policy;

/**
 * A policy file read and checked: the {@link Policy} the engine enforces, and the {@link Settings}
 * of the process that enforces it. Immutable.
 *
 * @param source where the file came from, as given
 * @param sha256 the SHA-256 of the file's bytes in hex, as {@code sha256sum} prints it
 * @param policy what is enforced
 * @param settings where and how: listen, upstream, TLS, trusted proxies, the store
 */
public record PolicyFile(String source, String sha256, Policy policy, Settings settings) {}
