package selflengthen.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.engine.Djl;
import selflengthen.model.generate.DjlLanguageModel;

/** Entry point: open a Hugging Face checkpoint directory (Qwen2 or Llama) as a LanguageModel. */
public final class Models {
  private Models() {}

  public static DjlLanguageModel open(Path dir, EngineOptions options) {
    try {
      return DjlLanguageModel.open(dir, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static LanguageModel open(Path dir) {
    return open(dir, EngineOptions.defaults());
  }

  /**
   * Adds a PEFT LoRA adapter into its base model's weights and saves the result as a full
   * checkpoint (tokenizer files copied) in the base's dtype when that is float32, float16 or
   * bfloat16.
   */
  public static void mergeAdapter(Path base, Path adapter, Path out) throws IOException {
    Djl.engine();
    Checkpoint checkpoint = Checkpoint.read(base);
    ai.djl.Device cpu = ai.djl.Device.cpu();
    try (selflengthen.model.nn.DecoderModel model =
            selflengthen.model.nn.DecoderModel.load(checkpoint.config(), base, cpu);
        selflengthen.model.lora.LoraWeights lora = selflengthen.model.lora.LoraWeights.load(
            adapter, checkpoint.config(), model.manager(), cpu)) {
      lora.mergeInto(model.weights());
      selflengthen.model.io.DType dtype;
      try {
        dtype = selflengthen.model.io.DType.fromTorchName(checkpoint.config().torchDtype());
      } catch (IllegalArgumentException e) {
        dtype = selflengthen.model.io.DType.F32;
      }
      CheckpointWriter.save(model.weights(), checkpoint.config(), base, out, dtype);
    }
  }

  /** Saves a copy of a checkpoint (tokenizer files copied) with its weights stored as {@code dtype}. */
  public static void convert(Path base, Path out, selflengthen.model.io.DType dtype)
      throws IOException {
    Djl.engine();
    Checkpoint checkpoint = Checkpoint.read(base);
    try (selflengthen.model.nn.DecoderModel model = selflengthen.model.nn.DecoderModel.load(
        checkpoint.config(), base, ai.djl.Device.cpu())) {
      CheckpointWriter.save(model.weights(), checkpoint.config(), base, out, dtype);
    }
  }
}
