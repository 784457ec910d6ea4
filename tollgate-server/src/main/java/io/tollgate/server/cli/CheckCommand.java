package io.tollgate.server.cli;

import io.tollgate.config.PolicyFile;
import io.tollgate.server.Version;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tollgate check FILE...}: every error at its position, or a one-screen summary of each file. */
@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Version.class, description = {"Validate policy files without serving them: print a summary of each valid "
    + "file, or every error as FILE:LINE:COL: message.", "Exit 0 when all are valid, 2 when one is not."})
final class CheckCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "policy files (YAML or JSON)")
  private List<Path> files;

  @Override
  public Integer call() {
    int status = 0;
    for (Path file : files) {
      PolicyFile pf = PolicyFiles.load(file, spec.commandLine().getErr());
      if (pf == null) {
        status = 2;
      } else {
        spec.commandLine().getOut().print(PolicySummary.of(pf));
        spec.commandLine().getOut().flush();
      }
    }
    return status;
  }
}
