package selflengthen.model.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a Hugging Face trainer leaves in its output_dir: checkpoints, the final model, its state.
 */
final class TrainerOutputs {
  private static final Pattern CHECKPOINT = Pattern.compile("checkpoint-(\\d+)");
  private static final String STATE = "trainer_state.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private TrainerOutputs() {}

  record Checkpoint(Path dir, long step) {}

  /** Loss history of a trainer_state.json: global step, first and last logged loss. */
  record State(long globalStep, double firstLoss, double lastLoss) {}

  /**
   * The newest checkpoint-N directory that was written to the end: the trainer writes its
   * trainer_state.json into a checkpoint after the weights, so a directory without one was cut
   * short by a kill and cannot be resumed.
   */
  static Optional<Checkpoint> lastCompleteCheckpoint(Path outputDir) throws IOException {
    if (!Files.isDirectory(outputDir)) {
      return Optional.empty();
    }
    try (Stream<Path> entries = Files.list(outputDir)) {
      return entries
          .filter(Files::isDirectory)
          .filter(dir -> Files.isRegularFile(dir.resolve(STATE)))
          .flatMap(
              dir -> {
                Matcher m = CHECKPOINT.matcher(dir.getFileName().toString());
                return m.matches()
                    ? Stream.of(new Checkpoint(dir, Long.parseLong(m.group(1))))
                    : Stream.empty();
              })
          .max(Comparator.comparingLong(Checkpoint::step));
    }
  }

  /** Fails with a listing of the directory unless it holds a PEFT adapter (or a full model). */
  static void requireModel(Path dir, boolean fullModel) throws IOException {
    boolean found =
        fullModel
            ? Files.isRegularFile(dir.resolve("config.json"))
                && anyFile(
                    dir,
                    "model.safetensors",
                    "model.safetensors.index.json",
                    "pytorch_model.bin",
                    "pytorch_model.bin.index.json")
            : Files.isRegularFile(dir.resolve("adapter_config.json"))
                && anyFile(dir, "adapter_model.safetensors", "adapter_model.bin");
    if (!found) {
      String what =
          fullModel
              ? "full model (config.json + model*.safetensors)"
              : "PEFT adapter (adapter_config.json + adapter_model.safetensors)";
      throw new ExternalTrainingException(
          "the external trainer finished but "
              + dir
              + " holds no "
              + what
              + "; it holds "
              + listing(dir));
    }
  }

  /**
   * Makes the top-level files of the trainer's output_dir (the final model, tokenizer, state)
   * appear in {@code target}: hard links where the file system allows (a 7B model is not copied),
   * else copies.
   */
  static void publish(Path outputDir, Path target) throws IOException {
    Files.createDirectories(target);
    if (Files.isSameFile(outputDir, target)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(outputDir)) {
      files = entries.filter(Files::isRegularFile).toList();
    }
    for (Path file : files) {
      Path destination = target.resolve(file.getFileName().toString());
      Files.deleteIfExists(destination);
      try {
        Files.createLink(destination, file);
      } catch (FileSystemException | UnsupportedOperationException crossDevice) {
        Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  static Optional<State> readState(Path outputDir) {
    Path file = outputDir.resolve(STATE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode root = JSON.readTree(file.toFile());
      Double first = null;
      Double last = null;
      for (JsonNode entry : root.path("log_history")) {
        if (entry.path("loss").isNumber()) {
          double loss = entry.get("loss").asDouble();
          first = first == null ? loss : first;
          last = loss;
        }
      }
      if (first == null) {
        return Optional.empty();
      }
      return Optional.of(new State(root.path("global_step").asLong(0), first, last));
    } catch (IOException unreadable) {
      return Optional.empty();
    }
  }

  private static boolean anyFile(Path dir, String... names) {
    for (String name : names) {
      if (Files.isRegularFile(dir.resolve(name))) {
        return true;
      }
    }
    return false;
  }

  private static String listing(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return "nothing (it does not exist)";
    }
    try (Stream<Path> entries = Files.list(dir)) {
      List<String> names = entries.map(p -> p.getFileName().toString()).sorted().toList();
      return names.isEmpty() ? "nothing" : String.join(", ", names);
    }
  }
}
