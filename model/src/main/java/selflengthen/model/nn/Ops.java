package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.SparseFormat;

/** The few fused PyTorch kernels the decoder needs that DJL exposes only through NDArrayEx. */
final class Ops {
  private Ops() {}

  /** x W^T + b (one addmm kernel). */
  static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    NDList out = x.getNDArrayInternal().linear(x, weight, bias);
    return out.singletonOrThrow();
  }

  static NDArray embedding(NDArray ids, NDArray table) {
    return ids.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
  }

  static NDArray silu(NDArray x) {
    return x.mul(x.getNDArrayInternal().sigmoid());
  }

  static NDArray dropout(NDArray x, float rate, boolean training) {
    if (!training || rate <= 0f) {
      return x;
    }
    return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
  }

  /** x / sqrt(mean(x^2) + eps) * w, in the input's precision (float32 here). */
  static NDArray rmsNorm(NDArray x, NDArray weight, NDArray eps) {
    NDArray meanSquare = x.square().mean(new int[] {-1}, true);
    return x.div(meanSquare.add(eps).sqrt()).mul(weight);
  }
}
