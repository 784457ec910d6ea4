package io.tollgate.gateway;

import io.tollgate.config.PolicyFile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** The {@code tollgate} command: {@code serve}, and everything tollgate-config's command does. */
public final class Main {

  /** What {@code serve} runs with no {@code --config}. */
  static final Path QUICKSTART = Path.of("examples", "quickstart.yaml");

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && args[0].equals("serve")) {
      int status = serve(args, System.out, System.err);
      if (status != 0) {
        System.exit(status);
      }
      return;
    }
    System.exit(io.tollgate.config.cli.Main.run(args, System.out, System.err));
  }

  private static int serve(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    Path file = QUICKSTART;
    if (args.length == 3 && args[1].equals("--config")) {
      file = Path.of(args[2]);
    } else if (args.length != 1) {
      err.println("usage: tollgate serve [--config FILE]");
      return 2;
    }
    if (!Files.exists(file)) {
      err.println("tollgate: no policy file at " + file + (file == QUICKSTART ? " (run from the project's root, or "
          + "pass --config FILE)" : ""));
      return 2;
    }
    PolicyFile pf = io.tollgate.config.cli.Main.loadOrPrintErrors(file, err);
    if (pf == null) {
      return 2;
    }
    GatewayServer gateway;
    try {
      gateway = GatewayServer.start(pf);
    } catch (RuntimeException e) {
      err.println("tollgate: cannot start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      out.println("tollgate: stopping, letting requests in flight finish");
      out.flush();
      gateway.close(); // stops taking requests, lets those in flight finish (up to 10 s)
      out.println("tollgate: stopped");
      out.flush();
      stopped.countDown();
      // SIGTERM is how a gateway is asked to stop: a drained stop is a success, so exit 0, not 143.
      Runtime.getRuntime().halt(0);
    }, "tollgate-shutdown"));
    out.println(gateway.describe());
    stopped.await();
    return 0;
  }
}
