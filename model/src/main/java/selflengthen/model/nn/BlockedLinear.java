package selflengthen.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * x W^T + b for a few rows (decode steps) on a multi-threaded CPU, as {@code blocks} column
 * blocks of W multiplied side by side in one batched matmul.
 *
 * <p>Why: with few rows a linear layer is a matrix-vector product bound by reading W from memory,
 * and the CPU build's GEMM runs it on one thread: 9.5-10 GB/s on this machine's 2-core EPYC,
 * whether called as linear, x W^T or W x^T. The batched matmul spreads its batch over the
 * intra-op threads, so two blocks read W at 18.8 GB/s (numpy's one-thread sum reads at 18.3 GB/s):
 * 8 gate/up matrices 512x3584 took 5.96 ms as linear and 3.13 ms as two blocks for one row,
 * 7.2 ms and 4.8 ms for 8 rows. With hundreds of rows (prefill) GEMM is compute bound and
 * already threaded, so those rows keep the plain kernel.
 *
 * <p>The blocks are views of the weights (W's rows split in {@code blocks} groups, transposed):
 * no weight is copied. The output blocks are interleaved back into one row-major result.
 */
final class BlockedLinear implements GenerationLinear {
  /** Up to this many rows per call take the blocked path. */
  static final int MAX_ROWS = 64;

  private final int blocks;
  private final Map<NDArray, NDArray> views = new IdentityHashMap<>();

  /** Blocks for {@code threads} intra-op threads on {@code device}; 1 disables the path. */
  BlockedLinear(int threads, Device device) {
    this.blocks = device.isGpu() ? 1 : Math.max(1, threads);
  }

  boolean enabled() {
    return blocks > 1;
  }

  /** x [..., in] times weight [out, in] transposed, plus bias [out] (may be null). */
  @Override
  public NDArray apply(NDArray x, NDArray weight, NDArray bias) {
    Shape shape = x.getShape();
    long in = shape.get(shape.dimension() - 1);
    long rows = shape.size() / in;
    long out = weight.getShape().get(0);
    if (blocks < 2 || rows > MAX_ROWS || out % blocks != 0) {
      return Ops.linear(x, weight, bias);
    }
    NDArray blocked = x.reshape(1, rows, in).matMul(view(weight));  // [blocks, rows, out/blocks]
    long[] dims = shape.getShape().clone();
    dims[dims.length - 1] = out;
    NDArray y = blocked.transpose(1, 0, 2).reshape(new Shape(dims));
    return bias == null ? y : y.add(bias);
  }

  /** [blocks, in, out/blocks]: rows of W in {@code blocks} consecutive groups, transposed. */
  private NDArray view(NDArray weight) {
    return views.computeIfAbsent(weight, w -> {
      long out = w.getShape().get(0);
      NDArray v = w.reshape(blocks, out / blocks, w.getShape().get(1)).transpose(0, 2, 1);
      NDScope.unregister(v);
      return v;
    });
  }

  @Override
  public void close() {
    views.values().forEach(NDArray::close);
    views.clear();
  }
}
