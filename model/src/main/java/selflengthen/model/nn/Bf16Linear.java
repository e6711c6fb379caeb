package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * x W^T + b with W held in bfloat16 (EngineOptions.bf16): the input is rounded to bfloat16, the
 * product runs in PyTorch's bfloat16 CPU kernels (oneDNN, avx512_bf16 where the CPU has it) and
 * comes back as float32, the bias is added in float32. On CPUs {@link OneDnnLinear} does the same
 * with packed weights, faster; this class serves GPUs and libtorch builds without oneDNN.
 *
 * <p>Why: decode steps read every weight once per step, so their time follows the bytes read;
 * bfloat16 halves them, and on this machine's AVX-512 EPYC the bfloat16 kernels also multiply
 * faster. Measured over the small preset's 29 projection matrices (2 threads): 1 row 3.75 ms
 * against 6.5-6.9 ms in float32, 8 rows 4.5 against 13.4 ms, 32 rows 7.0 against 24.7 ms.
 *
 * <p>How: DJL 0.36 has no bfloat16 data type on its JNI side (creating or converting to one
 * aborts the JVM), so the conversion runs inside a one-line TorchScript module
 * ({@code to-bfloat16.pt}, written by tools/torchscript/to_bfloat16.py). The bfloat16 tensors it
 * returns are ordinary PyTorch tensors to DJL (type UNKNOWN): matmul and toType(FLOAT32) work.
 * Few-row inputs are copied into a bfloat16 buffer kept per shape (an in-place copy converts;
 * 6-8 us against 16-100 us for a call into the module).
 */
final class Bf16Linear implements GenerationLinear {
  private static final String MODULE = "to-bfloat16.pt";

  private final PtSymbolBlock convert;
  private final PtNDManager manager;
  private final Map<NDArray, NDArray> weights = new IdentityHashMap<>();
  private final Map<Shape, NDArray> buffers = new HashMap<>();

  Bf16Linear(NDManager manager) {
    this.manager = (PtNDManager) manager;
    this.convert = TorchScriptModules.load(this.manager, MODULE);
  }

  /** Converts the weights now (on the loading thread) rather than on the first step. */
  void prepare(Iterable<NDArray> projectionWeights) {
    for (NDArray w : projectionWeights) {
      weight(w);
    }
  }

  @Override
  public NDArray apply(NDArray x, NDArray weight, NDArray bias) {
    NDArray y = Ops.linear(toBf16(x), weight(weight), null).toType(DataType.FLOAT32, false);
    return bias == null ? y : y.add(bias);
  }

  /** A bfloat16 copy of x: a per-shape buffer for decode-sized inputs, a new tensor otherwise. */
  private NDArray toBf16(NDArray x) {
    Shape shape = x.getShape();
    if (shape.size() / shape.get(shape.dimension() - 1) > BlockedLinear.MAX_ROWS) {
      return run(x);
    }
    NDArray buffer = buffers.get(shape);
    if (buffer == null) {
      // the module returns inference-mode tensors, which refuse in-place updates: keep a clone
      try (NDArray converted = run(x)) {
        buffer = converted.duplicate();
      }
      NDScope.unregister(buffer);
      buffers.put(shape, buffer);
    } else {
      buffer.set(new NDIndex("..."), x);
    }
    return buffer;
  }

  private NDArray weight(NDArray w) {
    return weights.computeIfAbsent(w, k -> {
      NDArray b = run(k);
      NDScope.unregister(b);
      return b;
    });
  }

  private NDArray run(NDArray x) {
    try (IValue in = IValue.from((PtNDArray) x); IValue out = convert.forward(in)) {
      return out.toTensor(manager);
    }
  }

  @Override
  public void close() {
    weights.values().forEach(NDArray::close);
    weights.clear();
    buffers.values().forEach(NDArray::close);
    buffers.clear();
    convert.close();
  }
}
