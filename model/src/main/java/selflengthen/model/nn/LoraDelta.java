package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;

/** What a LoRA adapter adds to the output of one projection of one layer (null: nothing). */
public interface LoraDelta {
  NDArray delta(int layer, Projection projection, NDArray input);
}
