package io.tollgate.config.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/** The {@code tollgate} command. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      usage(args.length == 0 ? err : out);
      return args.length == 0 ? 2 : 0;
    }
    switch (args[0]) {
      case "check":
        if (args.length != 2) {
          err.println("usage: tollgate check FILE");
          return 2;
        }
        return CheckCommand.run(Path.of(args[1]), out, err);
      default:
        err.println("tollgate: unknown command '" + args[0] + "' " + Arrays.toString(Arrays.copyOfRange(args, 1, args.length)));
        usage(err);
        return 2;
    }
  }

  /**
   * Reads the policy file at {@code file} as {@code check} does: on errors, prints each at its
   * {@code FILE:LINE:COL} to {@code err} and returns {@code null}. For other commands ({@code serve}).
   */
  public static io.tollgate.config.PolicyFile loadOrPrintErrors(Path file, PrintStream err) {
    return CheckCommand.load(file, err);
  }

  private static void usage(PrintStream out) {
    out.println("usage: tollgate COMMAND");
    out.println();
    out.println("  check FILE   validate a policy file; print every error as FILE:LINE:COL: message,");
    out.println("               or a summary of its routes and limits. Exit 0 when valid, 2 when not.");
  }
}
