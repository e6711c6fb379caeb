package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * A LoRA adapter whose delta is linear(linear(x, A), B) per projection, with its factors open to
 * {@link FusedLayers}, which applies them inside its one call per step.
 */
public interface LoraFactors extends LoraDelta {
  /** A [rank, in] of projection p in layer l (rows stacked as the projection's), or null. */
  NDArray a(int layer, Projection p);

  /** B [out, rank] matching {@link #a}, or null. */
  NDArray b(int layer, Projection p);
}
