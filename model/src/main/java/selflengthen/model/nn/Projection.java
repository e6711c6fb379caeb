package selflengthen.model.nn;

import java.util.List;

/**
 * The linear layers of a decoder block as the engine stores them: q/k/v fused into one matrix and
 * gate/up fused into another (one matmul each per step), o and down alone. Each lists the Hugging
 * Face module names it holds, in row order.
 */
public enum Projection {
  QKV("self_attn", List.of("q_proj", "k_proj", "v_proj")),
  O("self_attn", List.of("o_proj")),
  GATE_UP("mlp", List.of("gate_proj", "up_proj")),
  DOWN("mlp", List.of("down_proj"));

  private final String block;
  private final List<String> modules;

  Projection(String block, List<String> modules) {
    this.block = block;
    this.modules = modules;
  }

  /** "self_attn" or "mlp": the submodule that holds these layers in HF names. */
  public String block() {
    return block;
  }

  public List<String> modules() {
    return modules;
  }

  public static Projection of(String module) {
    for (Projection p : values()) {
      if (p.modules.contains(module)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown linear module '" + module
        + "'; expected one of q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj");
  }

  public static final List<String> ALL_MODULES =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
}
