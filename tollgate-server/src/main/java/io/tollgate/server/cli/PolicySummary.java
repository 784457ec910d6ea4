package io.tollgate.server.cli;

import io.tollgate.config.PolicyFile;
import io.tollgate.config.Settings;
import io.tollgate.core.Algorithm;
import io.tollgate.core.Durations;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.Mode;
import io.tollgate.core.Policy;
import io.tollgate.core.Refusal;
import io.tollgate.core.Route;
import java.util.List;
import java.util.stream.Collectors;

/** What {@code check} prints of a valid file: one screen of its settings, routes and limits. */
final class PolicySummary {

  private PolicySummary() {}

  static String of(PolicyFile pf) {
    Policy p = pf.policy();
    StringBuilder s = new StringBuilder();
    s.append(pf.source()).append(": valid\n");
    Settings set = pf.settings();
    if (set.upstream() != null) {
      s.append("  listen ").append(set.listen()).append(set.tls() == null ? "" : " (TLS)").append(" -> upstream ")
          .append(set.upstream().url()).append(" (timeout ").append(Durations.format(set.upstream().timeout()))
          .append("), ");
    } else {
      s.append("  no gateway (no upstream), ");
    }
    s.append("store ").append(set.store().describe()).append("\n");
    if (set.check() != null) {
      s.append("  check endpoint ").append(set.check().listen()).append(", deny-status ")
          .append(set.check().denyStatus()).append("\n");
    }
    if (set.envoyRls() != null) {
      Settings.EnvoyRls e = set.envoyRls();
      s.append("  Envoy rate limit service ").append(e.listen()).append(set.tls() == null ? "" : " (TLS)")
          .append(e.httpListen() == null ? "" : ", /json also on " + e.httpListen()).append(": ").append(e.config())
          .append(", ").append(pf.rls().domains().size()).append(" domains (")
          .append(String.join(", ", new java.util.TreeSet<>(pf.rls().domains()))).append("), ")
          .append(pf.rls().rules().size()).append(" rules").append(pf.rls().ignoredKeys().isEmpty() ? ""
              : ", not used here: " + String.join(", ", pf.rls().ignoredKeys())).append("\n");
      for (io.tollgate.config.envoy.RlsRule rule : pf.rls().rules()) {
        s.append("    ").append(rule).append(rule.limit().name() == null ? "" : " '" + rule.limit().name() + "'")
            .append("\n");
      }
    }
    s.append("  admin ").append(set.admin().listen() == null ? "off" : set.admin().listen().toString())
        .append(set.admin().token() == null ? "" : " (token)").append(", reload ")
        .append(set.reload().name().toLowerCase(java.util.Locale.ROOT)).append("\n");
    Refusal r = p.refusal();
    s.append("  refusal ").append(r.status()).append(", headers ")
        .append(r.headers().stream().map(HeaderSet::text).collect(Collectors.joining(", "))).append("\n");
    if (p.tenants() != null) {
      s.append("  tenants ").append(p.tenants().keysByTenant().size()).append(" (API key from ").append(p.tenants().apiKey())
          .append(", ").append(p.tenants().overrides().size()).append(" with overrides)\n");
    }
    if (p.statusEndpoint() != null) {
      s.append("  status endpoint ").append(p.statusEndpoint()).append("\n");
    }
    if (!p.allow().isEmpty() || !p.deny().isEmpty()) {
      s.append("  allow ").append(p.allow()).append(", deny ").append(p.deny()).append("\n");
    }
    if (p.ban() != null) {
      s.append("  ban ").append(keyText(p.ban().key())).append(" after ").append(p.ban().after()).append(" refusals within ")
          .append(p.ban().withinText()).append(" for ").append(p.ban().durationText()).append("\n");
    }
    s.append("  routes (").append(p.routes().size()).append(", then 'default'):\n");
    for (Route route : p.routes()) {
      s.append("    ").append(route.name()).append("  ").append(String.join("  ", route.patterns())).append("\n");
    }
    s.append("  limits (").append(p.limits().size()).append("):\n");
    for (Limit l : p.limits()) {
      s.append("    ").append(l.name()).append("  ");
      if (l.algorithm() == Algorithm.CONCURRENCY) {
        s.append(l.limit()).append(" in flight");
      } else {
        s.append(l.limit()).append("/").append(l.windowText()).append(" ").append(l.algorithm().text());
        if (l.algorithm() == Algorithm.TOKEN_BUCKET) {
          s.append(" burst ").append(l.burst());
        }
      }
      if (l.cost() != 1) {
        s.append(", cost ").append(l.cost());
      }
      s.append(", key ").append(keyText(l.key()));
      if (!l.routes().isEmpty()) {
        s.append(", routes ").append(String.join(",", l.routes()));
      }
      if (!l.methods().isEmpty()) {
        s.append(", methods ").append(String.join(",", l.methods()));
      }
      if (!l.paths().isEmpty()) {
        s.append(", paths ").append(String.join(",", l.paths()));
      }
      Refusal own = p.refusalFor(l);
      if (!own.status().equals(r.status())) {
        s.append(", refuses with ").append(own.status());
      }
      if (l.mode() == Mode.SHADOW) {
        s.append(", SHADOW");
      }
      s.append("\n");
    }
    return s.toString();
  }

  private static String keyText(List<List<KeyPart>> key) {
    if (key.isEmpty()) {
      return "(one shared counter)";
    }
    return key.stream().map(chain -> chain.stream().map(KeyPart::toString).collect(Collectors.joining("|")))
        .collect(Collectors.joining(" + "));
  }
}
