package io.tollgate.server.cli;

import io.tollgate.server.Version;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The top of the {@code tollgate} command: its subcommands, {@code --help} and {@code --version}. */
@Command(name = "tollgate", mixinStandardHelpOptions = true, versionProvider = Version.class,
    synopsisSubcommandLabel = "COMMAND",
    description = "Rate limits that API platforms publish, enforced exactly: a gateway in front of an HTTP API.",
    subcommands = {ServeCommand.class, CheckCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit status: 0 done, 1 could not run (port taken, file unreadable), 2 usage or policy errors.",
        "Docs: README.md and docs/ (the policy file: docs/policy-file.md; running it: docs/operations.md)."})
public final class TollgateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  /** Runs the command line {@code args}; returns the exit status. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = new CommandLine(new TollgateCommand()).setOut(out).setErr(err)
        .setParameterExceptionHandler(TollgateCommand::usageError);
    return cli.execute(args);
  }

  /** A usage error: what was wrong, in one line, then the usage of the command it was given to; exit 2. */
  private static int usageError(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    String message = e.getMessage();
    if (e instanceof CommandLine.UnmatchedArgumentException && cli.getCommandSpec().parent() == null
        && !((CommandLine.UnmatchedArgumentException) e).getUnmatched().isEmpty()) {
      String word = ((CommandLine.UnmatchedArgumentException) e).getUnmatched().get(0);
      message = word.startsWith("-") ? "unknown option '" + word + "'"
          : "unknown command '" + word + "' (commands: " + String.join(", ", cli.getSubcommands().keySet()) + ")";
    }
    err.println("tollgate: " + message);
    err.println();
    cli.usage(err);
    err.flush();
    return cli.getCommandSpec().exitCodeOnInvalidInput();
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "Missing command: say serve, check, version or help");
  }
}
