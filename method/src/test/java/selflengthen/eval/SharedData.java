package selflengthen.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The project's shared data folder (never copied into the repo); tests skip when it is absent. */
final class SharedData {
  private SharedData() {}

  static Path evalFile(String name) {
    // Surefire runs in the module folder: the default ../shared is relative to the repo root.
    Path root = Path.of(System.getProperty("selflengthen.shared.dir", "../../shared"));
    Path file = root.resolve("data").resolve("eval").resolve(name);
    assumeTrue(Files.isRegularFile(file), "shared data not found: " + file.toAbsolutePath());
    return file;
  }
}
