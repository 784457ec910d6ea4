package io.tollgate.config.cli;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.core.Algorithm;
import io.tollgate.core.HeaderSet;
import io.tollgate.core.KeyPart;
import io.tollgate.core.Limit;
import io.tollgate.core.Policy;
import io.tollgate.core.Refusal;
import io.tollgate.core.Route;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** {@code tollgate check FILE}: every error at its position, or a one-screen summary. */
final class CheckCommand {

  private CheckCommand() {}

  static int run(Path file, PrintStream out, PrintStream err) {
    PolicyFile pf = load(file, err);
    if (pf == null) {
      return 2;
    }
    out.print(summary(pf));
    return 0;
  }

  /** The policy file at {@code file}, or {@code null} after printing every error to {@code err}. */
  static PolicyFile load(Path file, PrintStream err) {
    try {
      return PolicyLoader.load(file);
    } catch (PolicyException e) {
      for (PolicyError error : e.errors()) {
        err.println(error);
      }
      err.println(e.errors().size() + (e.errors().size() == 1 ? " error" : " errors") + " in " + file);
      return null;
    }
  }

  static String summary(PolicyFile pf) {
    Policy p = pf.policy();
    StringBuilder s = new StringBuilder();
    s.append(pf.source()).append(": valid\n");
    s.append("  listen ").append(pf.listenHost() == null ? "" : pf.listenHost() + ":").append(pf.listenPort())
        .append(" -> upstream ").append(pf.upstream()).append(" (timeout ").append(io.tollgate.core.Durations.format(pf.upstreamTimeout()))
        .append("), store ").append(pf.describeStore()).append("\n");
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
      if (l.mode() == io.tollgate.core.Mode.SHADOW) {
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
