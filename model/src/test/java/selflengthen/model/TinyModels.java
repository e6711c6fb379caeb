package selflengthen.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One tiny checkpoint per test JVM, built by the same code as `selflengthen model init`. */
public final class TinyModels {
  private static Path dir;

  private TinyModels() {}

  public static synchronized Path tiny() {
    if (dir == null) {
      try {
        Path d = Files.createTempDirectory("tiny-model");
        ModelFactory.init("tiny", d, 7L, null);
        d.toFile().deleteOnExit();
        dir = d;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return dir;
  }
}
