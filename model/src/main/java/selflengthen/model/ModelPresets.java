package selflengthen.model;

import java.util.List;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.config.RopeScaling;

/**
 * Shapes for models the project builds itself: "tiny" (about 1M parameters, for tests) and
 * "small" (about 30M, for benchmarks and the demo). Both are the Qwen2 architecture with tied
 * embeddings; the vocabulary size is filled in from the trained tokenizer.
 */
public final class ModelPresets {
  private ModelPresets() {}

  public record Preset(String name, ModelConfig config, int targetVocab) {}

  public static Preset get(String name) {
    return switch (name) {
      case "tiny" -> new Preset("tiny", qwen2(128, 384, 4, 4, 2, 2048), 1024);
      case "small" -> new Preset("small", qwen2(512, 1792, 8, 8, 4, 4096), 8192);
      default -> throw new IllegalArgumentException("unknown preset '" + name + "' (tiny, small)");
    };
  }

  public static ModelConfig qwen2(int hidden, int intermediate, int layers, int heads, int kvHeads,
      int maxPositions) {
    return new ModelConfig(ModelConfig.QWEN2, "qwen2", 0, hidden, intermediate, layers, heads,
        kvHeads, hidden / heads, 1e-6, 10000.0, RopeScaling.none(), maxPositions, true, true, false,
        List.of(), null, "float32", 0.02);
  }
}
