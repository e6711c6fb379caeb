package selflengthen.model.nn;

import selflengthen.model.config.ModelConfig;

/** Hugging Face tensor names and the row layout of the fused projections. */
public final class WeightNames {
  public static final String EMBED = "model.embed_tokens.weight";
  public static final String NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  private WeightNames() {}

  public static String layer(int layer, String rest) {
    return "model.layers." + layer + "." + rest;
  }

  /** e.g. model.layers.3.self_attn.q_proj */
  public static String module(int layer, String module) {
    return layer(layer, Projection.of(module).block() + "." + module);
  }

  /** Output rows of one HF module. */
  public static long rows(ModelConfig c, String module) {
    return switch (module) {
      case "q_proj" -> c.qSize();
      case "k_proj", "v_proj" -> c.kvSize();
      case "o_proj", "down_proj" -> c.hiddenSize();
      case "gate_proj", "up_proj" -> c.intermediateSize();
      default -> throw new IllegalArgumentException("unknown module " + module);
    };
  }

  /** Input features of one HF module. */
  public static long inFeatures(ModelConfig c, String module) {
    return switch (module) {
      case "o_proj" -> c.qSize();
      case "down_proj" -> c.intermediateSize();
      default -> c.hiddenSize();
    };
  }

  /** First row of a module inside its fused projection. */
  public static long rowOffset(ModelConfig c, String module) {
    return switch (module) {
      case "k_proj" -> c.qSize();
      case "v_proj" -> c.qSize() + c.kvSize();
      case "up_proj" -> c.intermediateSize();
      default -> 0;
    };
  }

  public static long rows(ModelConfig c, Projection p) {
    long n = 0;
    for (String m : p.modules()) {
      n += rows(c, m);
    }
    return n;
  }
}
