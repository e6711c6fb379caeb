package selflengthen.workers;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.Supplier;

/**
 * Runs code with a context class loader that sees no META-INF/services entries, as a build
 * without the production registrar would: ServiceLoader then finds nothing.
 */
public final class HiddenServices {
  private HiddenServices() {}

  public static <T> T call(Supplier<T> body) {
    Thread t = Thread.currentThread();
    ClassLoader previous = t.getContextClassLoader();
    try (URLClassLoader empty = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
      t.setContextClassLoader(empty);
      return body.get();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      t.setContextClassLoader(previous);
    }
  }
}
