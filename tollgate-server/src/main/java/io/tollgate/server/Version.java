package io.tollgate.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** {@code tollgate 0.2.0 (java 17.0.15)}: the project's version, from the build, and the JVM's. */
public final class Version implements CommandLine.IVersionProvider {

  /** The project's version, as the build stamped it. */
  public static String number() {
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The one line {@code tollgate version} prints. */
  public static String line() {
    return "tollgate " + number() + " (java " + System.getProperty("java.version") + ")";
  }

  @Override
  public String[] getVersion() {
    return new String[] {line()};
  }
}
