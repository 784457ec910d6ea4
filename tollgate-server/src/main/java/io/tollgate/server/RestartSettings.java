package io.tollgate.server;

import io.tollgate.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a reload can apply of a file's settings, and what waits for a restart: listeners (ports, TLS
 * on or off, which doors are open), the store and the connection bounds stay as they started; the
 * rest (upstream, trusted proxies, tokens, the access log, paths, deny status, the Envoy
 * configuration and its headers) applies at once.
 *
 * @param applied the settings in effect after the reload
 * @param restart the keys that changed and wait for a restart, as the file names them
 */
record RestartSettings(Settings applied, List<String> restart) {

  static RestartSettings of(Settings old, Settings read) {
    List<String> restart = new ArrayList<>();
    need(restart, "listen", old.listen(), read.listen());
    need(restart, "store", old.store(), read.store());
    need(restart, "tls", old.tls() == null, read.tls() == null);
    need(restart, "admin.listen", old.admin().listen(), read.admin().listen());
    need(restart, "upstream", old.upstream() == null, read.upstream() == null); // the gateway opens only at a start
    need(restart, "check.listen", old.check() == null ? null : old.check().listen(),
        read.check() == null ? null : read.check().listen());
    need(restart, "envoy-rls.listen", old.envoyRls() == null ? null : old.envoyRls().listen(),
        read.envoyRls() == null ? null : read.envoyRls().listen());
    need(restart, "envoy-rls.http-listen", old.envoyRls() == null ? null : old.envoyRls().httpListen(),
        read.envoyRls() == null ? null : read.envoyRls().httpListen());
    need(restart, "request-header-timeout", old.http().requestHeaderTimeout(), read.http().requestHeaderTimeout());
    need(restart, "idle-timeout", old.http().idleTimeout(), read.http().idleTimeout());
    need(restart, "max-connections", old.http().maxConnections(), read.http().maxConnections());
    Settings.Http http = new Settings.Http(read.http().encodedSlash(), old.http().requestHeaderTimeout(),
        old.http().idleTimeout(), old.http().maxConnections(), read.http().maxRequestBody());
    Settings.Upstream upstream = old.upstream() == null || read.upstream() == null ? old.upstream() : read.upstream();
    Settings.Check check = read.check() == null || old.check() == null ? old.check()
        : new Settings.Check(old.check().listen(), read.check().denyStatus());
    Settings.EnvoyRls rls = read.envoyRls() == null || old.envoyRls() == null ? old.envoyRls()
        : new Settings.EnvoyRls(old.envoyRls().listen(), old.envoyRls().httpListen(), read.envoyRls().config(),
            read.envoyRls().headers());
    Settings applied = new Settings(old.listen(), upstream, old.tls() == null ? null : read.tls(), read.trustedProxies(),
        old.store(), read.reload(), new Settings.Admin(old.admin().listen(), read.admin().token()), read.accessLog(),
        http, check, rls);
    return new RestartSettings(applied, List.copyOf(restart));
  }

  private static void need(List<String> restart, String key, Object before, Object after) {
    if (!Objects.equals(before, after)) {
      restart.add(key);
    }
  }
}
