package selflengthen.workers.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

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
}
