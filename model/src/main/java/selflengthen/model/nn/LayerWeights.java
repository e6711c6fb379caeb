package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * One decoder block. {@code qkv} holds q_proj, k_proj and v_proj stacked by rows ([q+2kv, hidden]),
 * {@code gateUp} holds gate_proj over up_proj ([2*intermediate, hidden]). Biases are null when
 * the architecture has none.
 */
public record LayerWeights(
    NDArray inputNorm,
    NDArray qkv,
    NDArray qkvBias,
    NDArray o,
    NDArray oBias,
    NDArray postNorm,
    NDArray gateUp,
    NDArray down) {

  NDArray weight(Projection p) {
    return switch (p) {
      case QKV -> qkv;
      case O -> o;
      case GATE_UP -> gateUp;
      case DOWN -> down;
    };
  }

  NDArray bias(Projection p) {
    return switch (p) {
      case QKV -> qkvBias;
      case O -> oBias;
      default -> null;
    };
  }
}
