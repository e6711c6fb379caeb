package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * How generation runs its projections (x W^T + b): on CPU {@link OneDnnLinear} (oneDNN, float32
 * or bfloat16), elsewhere {@link BlockedLinear} (the plain kernel on GPUs) or {@link Bf16Linear}.
 * Training keeps the plain kernel, which autograd differentiates.
 */
interface GenerationLinear extends AutoCloseable {
  NDArray apply(NDArray x, NDArray weight, NDArray bias);

  @Override
  void close();
}
