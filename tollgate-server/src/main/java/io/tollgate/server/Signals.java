package io.tollgate.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals other than SIGTERM and SIGINT (which run the JVM's shutdown hooks, and so the drain).
 * Through {@code sun.misc.Signal} (the jdk.unsupported module, there in every JDK and JRE since 9),
 * reached by reflection because javac warns of every direct use of it.
 */
final class Signals {

  private static final Logger log = LoggerFactory.getLogger("tollgate");

  private Signals() {}

  /** Runs {@code action} on each {@code SIGname} instead of the JVM's default; false where it cannot. */
  static boolean handle(String name, Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      InvocationHandler call = (proxy, method, args) -> {
        if (method.getName().equals("handle")) {
          action.run();
          return null;
        }
        return method.getDeclaringClass() == Object.class ? method.invoke(action, args) : null;
      };
      Object h = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler}, call);
      signal.getMethod("handle", signal, handler).invoke(null, signal.getConstructor(String.class).newInstance(name), h);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("cannot handle SIG{}: {}", name, e.toString());
      return false;
    }
  }
}
