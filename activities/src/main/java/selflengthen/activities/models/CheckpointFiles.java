package selflengthen.activities.models;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/** The files an in-process checkpoint needs before anything tries to load it. */
public final class CheckpointFiles {
  private CheckpointFiles() {}

  /** What is missing from a checkpoint directory, or empty when config.json and tokenizer.json exist. */
  public static Optional<String> problem(String dir) {
    Path path;
    try {
      path = Path.of(dir);
    } catch (InvalidPathException e) {
      return Optional.of("not a valid path: '" + dir + "'");
    }
    if (!Files.isDirectory(path)) {
      return Optional.of("checkpoint directory not found: " + dir);
    }
    for (String file : new String[] {"config.json", "tokenizer.json"}) {
      if (!Files.isRegularFile(path.resolve(file))) {
        return Optional.of("no " + file + " in " + dir + " (not a Hugging Face checkpoint directory)");
      }
    }
    return Optional.empty();
  }
}
