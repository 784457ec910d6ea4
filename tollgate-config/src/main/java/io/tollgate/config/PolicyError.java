package io.tollgate.config;

/** One error in a policy file, at a position. Immutable. */
public final class PolicyError {

  private final String file;
  private final int line;
  private final int column;
  private final String message;

  /** {@code line} and {@code column} are 1-based. */
  public PolicyError(String file, int line, int column, String message) {
    this.file = file;
    this.line = line;
    this.column = column;
    this.message = message;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String message() {
    return message;
  }

  /** {@code FILE:LINE:COL: message}, as compilers print. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
