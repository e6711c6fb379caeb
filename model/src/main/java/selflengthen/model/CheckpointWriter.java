package selflengthen.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.io.DType;
import selflengthen.model.io.SafetensorsWriter;
import selflengthen.model.nn.DecoderWeights;

/** Saves weights as a complete Hugging Face checkpoint next to the source's tokenizer files. */
public final class CheckpointWriter {
  /** Shards stay below 2 GiB (the size a Java buffer and DJL's reader can hold). */
  public static final long MAX_SHARD_BYTES = 2_000_000_000L;
  private static final List<String> TOKENIZER_FILES = List.of("tokenizer.json",
      "tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
      "chat_template.jinja", "chat_template.json", "vocab.json", "merges.txt");

  private CheckpointWriter() {}

  public static void save(DecoderWeights weights, ModelConfig config, Path sourceDir, Path out,
      DType dtype) throws IOException {
    Files.createDirectories(out);
    for (String f : TOKENIZER_FILES) {
      Path src = sourceDir.resolve(f);
      if (Files.exists(src) && !src.toAbsolutePath().normalize()
          .equals(out.resolve(f).toAbsolutePath().normalize())) {
        Files.copy(src, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    SafetensorsWriter.writeCheckpoint(out, weights.tensorSources(), dtype, MAX_SHARD_BYTES);
    config.withTorchDtype(dtype.torchName()).write(out);
  }
}
