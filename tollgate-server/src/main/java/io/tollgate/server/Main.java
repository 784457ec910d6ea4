package io.tollgate.server;

import io.tollgate.server.cli.TollgateCommand;
import java.io.PrintWriter;

/** {@code tollgate}: the one command (serve, check, version, help). Exit 0 done, 1 could not run, 2 usage or policy errors. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(TollgateCommand.run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }
}
