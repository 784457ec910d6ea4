package io.tollgate.server.cli;

import io.tollgate.config.PolicyFile;
import io.tollgate.gateway.GatewayServer;
import io.tollgate.server.Lifecycle;
import io.tollgate.server.TollgateServer;
import io.tollgate.server.Version;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tollgate serve [-c FILE]}: run the gateway until SIGTERM or SIGINT, then drain and exit 0. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Version.class, description = {"Run the gateway (and whatever the policy file turns on) until SIGTERM or "
    + "Ctrl-C, then let requests in flight finish (up to 10 s) and exit 0.",
    "With no --config: the built-in quick start (echo upstream, 5 requests a minute per client IP, port 8080 or "
        + "$TOLLGATE_LISTEN)."})
final class ServeCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "the policy file (YAML or JSON); relative paths inside it are read from its directory")
  private Path config;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    PolicyFile file = config == null ? PolicyFiles.quickstart(err) : PolicyFiles.load(config, err);
    if (file == null) {
      return 2;
    }
    Lifecycle.takeSignals();
    TollgateServer server;
    try {
      server = TollgateServer.start(config, file, io.tollgate.core.Clock.system());
    } catch (GatewayServer.GatewayStartException | IllegalStateException | IllegalArgumentException
        | java.io.UncheckedIOException e) {
      err.println("tollgate: " + e.getMessage());
      err.flush();
      return 1;
    }
    Lifecycle.runUntilStopped(server);
    return 0;
  }
}
