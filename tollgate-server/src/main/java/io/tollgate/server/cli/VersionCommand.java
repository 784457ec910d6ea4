package io.tollgate.server.cli;

import io.tollgate.server.Version;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tollgate version}: the same line as {@code --version}. */
@Command(name = "version", description = "Print the version: tollgate X.Y.Z (java V).")
final class VersionCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(Version.line());
    return 0;
  }
}
