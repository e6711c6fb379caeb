package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * How generation runs its projections (x W^T + b): {@link BlockedLinear} in float32 or {@link
 * Bf16Linear} in bfloat16. Training keeps the plain kernel, which autograd differentiates.
 */
interface GenerationLinear extends AutoCloseable {
  NDArray apply(NDArray x, NDArray weight, NDArray bias);

  @Override
  void close();
}
