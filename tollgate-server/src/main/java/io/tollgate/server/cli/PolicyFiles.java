package io.tollgate.server.cli;

import io.tollgate.config.PolicyError;
import io.tollgate.config.PolicyException;
import io.tollgate.config.PolicyFile;
import io.tollgate.config.PolicyLoader;
import io.tollgate.server.ServeChecks;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Policy files as the commands read them: every error printed at its position, or the file. */
final class PolicyFiles {

  /** What {@code serve} runs with no {@code --config}: examples/quickstart.yaml, built in. */
  static final String QUICKSTART = "(built-in) quickstart.yaml";

  private PolicyFiles() {}

  /**
   * The file at {@code path} read and checked for serving, or {@code null} after printing every
   * error as {@code FILE:LINE:COL: message} and a count to {@code err}.
   */
  static PolicyFile load(Path path, PrintWriter err) {
    try {
      return checked(PolicyLoader.load(path), err);
    } catch (PolicyException e) {
      print(e.errors(), path.toString(), err);
      return null;
    }
  }

  /** The built-in quick start, read as a file is (its {@code ${TOLLGATE_LISTEN:-8080}} included). */
  static PolicyFile quickstart(PrintWriter err) {
    try (InputStream in = PolicyFiles.class.getResourceAsStream("/io/tollgate/server/quickstart.yaml")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return checked(PolicyLoader.parse(text, QUICKSTART, System.getenv()), err);
    } catch (PolicyException e) {
      print(e.errors(), QUICKSTART, err);
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What serving needs beyond a valid file ({@link ServeChecks}). */
  private static PolicyFile checked(PolicyFile file, PrintWriter err) {
    List<PolicyError> errors = ServeChecks.problems(file);
    if (errors.isEmpty()) {
      return file;
    }
    print(errors, file.source(), err);
    return null;
  }

  private static void print(List<PolicyError> errors, String source, PrintWriter err) {
    for (PolicyError error : errors) {
      err.println(error);
    }
    err.println(errors.size() + (errors.size() == 1 ? " error" : " errors") + " in " + source);
    err.flush();
  }
}
