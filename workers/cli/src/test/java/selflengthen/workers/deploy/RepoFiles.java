package selflengthen.workers.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Files at the repository root, found from wherever the tests run (the module directory). */
public final class RepoFiles {
  private RepoFiles() {}

  public static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docker-compose.yml")) && Files.isDirectory(p.resolve("deploy"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root (with docker-compose.yml and deploy/) above "
        + Path.of("").toAbsolutePath());
  }

  /** README.md and the Markdown files under docs/, the places documented commands and specs live. */
  public static List<Path> docs() {
    Path root = root();
    List<Path> out = new ArrayList<>(List.of(root.resolve("README.md")));
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> files = Files.list(docs)) {
        files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(out::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }
}
