package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * x W^T + b in float32 on CPU through oneDNN's GEMM, with each W reordered once into oneDNN's
 * blocked layout (a packed copy kept beside the original, which training and LoRA merging use).
 *
 * <p>Why: the MKL inside DJL's libtorch takes its AVX2 path on AMD CPUs (about 165 GFLOP/s on
 * this 2-core EPYC, whatever MKL's environment variables say), while oneDNN chooses its kernels by
 * instruction set and uses AVX-512 there. Over the small preset's 33 projection matrices (2
 * threads, measured side by side): 1 row 4.7-5.7 ms against 6.0-6.6 ms for {@link BlockedLinear},
 * 8 rows 4.9 against 13.4 ms, 32 rows 8.6 against 30.5 ms, 256 rows 44 against 114 ms; outputs
 * equal to float32 rounding (the same products, summed in another order).
 *
 * <p>How: DJL 0.36 exposes no mkldnn operator, but it runs TorchScript modules; the two one-line
 * modules ({@code onednn-pack.pt}, {@code onednn-linear.pt}, written by
 * tools/torchscript/write_onednn_modules.py) call {@code mkldnn::_reorder_linear_weight} and
 * {@code mkldnn::_linear_pointwise}. Inputs of any rank are flattened to rows and back.
 */
final class OneDnnLinear implements GenerationLinear {
  private static final Logger LOG = LoggerFactory.getLogger(OneDnnLinear.class);
  /** The row count the packed layout is chosen for (measured: 1, 8 or 32 make no difference). */
  private static final int PACK_ROWS = 32;

  private final boolean bf16;
  private final PtNDManager manager;
  private final PtSymbolBlock pack;
  private final PtSymbolBlock linear;
  private final Map<NDArray, NDArray> packed = new IdentityHashMap<>();

  private OneDnnLinear(PtNDManager manager, PtSymbolBlock pack, PtSymbolBlock linear,
      boolean bf16) {
    this.manager = manager;
    this.bf16 = bf16;
    this.pack = pack;
    this.linear = linear;
  }

  /**
   * Loads the two modules; throws when this libtorch lacks the mkldnn operators.
   *
   * @param bf16 W stored as bfloat16, x rounded to bfloat16, products returned as float32
   *     (EngineOptions.bf16; oneDNN's avx512_bf16 kernels where the CPU has them)
   */
  static OneDnnLinear load(NDManager manager, boolean bf16) {
    PtNDManager pt = (PtNDManager) manager;
    String suffix = bf16 ? "-bf16.pt" : ".pt";
    PtSymbolBlock pack = TorchScriptModules.load(pt, "onednn-pack" + suffix);
    try {
      return new OneDnnLinear(pt, pack, TorchScriptModules.load(pt, "onednn-linear" + suffix),
          bf16);
    } catch (RuntimeException e) {
      pack.close();
      throw e;
    }
  }

  /** Packs the weights now (on the loading thread) rather than on the first step. */
  void prepare(Iterable<NDArray> projectionWeights) {
    for (NDArray w : projectionWeights) {
      packed(w);
    }
  }

  @Override
  public NDArray apply(NDArray x, NDArray weight, NDArray bias) {
    Shape shape = x.getShape();
    long in = shape.get(shape.dimension() - 1);
    boolean flat = shape.dimension() == 2;
    NDArray rows = flat ? x : x.reshape(shape.size() / in, in);
    NDArray y = call(linear, rows, packed(weight));
    if (!flat) {
      long[] dims = shape.getShape().clone();
      dims[dims.length - 1] = weight.getShape().get(0);
      y = y.reshape(new Shape(dims));
    }
    return bias == null ? y : y.add(bias);
  }

  /**
   * W's packed copy (made on first use), or W itself where the packed copy multiplies wrongly.
   * Why the check: libtorch 2.7.1's reorder gives wrong products for some output sizes (measured
   * here: 100, 1232, 1240 and 1247 rows of W wrong in every column past the last full block,
   * 1216, 1248 and 8191 right), so each packed copy is compared with the plain product before
   * it is used; oneDNN takes a plain W too, reordering it on each call (slower, always right).
   */
  NDArray packed(NDArray w) {
    return packed.computeIfAbsent(w, k -> {
      try (NDArray rows = manager.zeros(new Shape(PACK_ROWS, k.getShape().get(1)))) {
        NDArray p = call(pack, k, rows);
        NDScope.unregister(p);
        if (multipliesLike(p, k)) {
          return p;
        }
        p.close();
        LOG.debug("oneDNN's packed copy of a {} weight multiplies wrongly; kept plain",
            k.getShape());
        return k;
      }
    });
  }

  /** Whether the packed copy gives the plain product of seeded inputs of 1, 3, 32 and 128 rows. */
  private boolean multipliesLike(NDArray packedWeight, NDArray w) {
    long in = w.getShape().get(1);
    SplittableRandom random = new SplittableRandom(17);
    try (NDScope scope = new NDScope()) {
      for (int rows : new int[] {1, 3, 32, 128}) {
        float[] values = new float[(int) (rows * in)];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        NDArray x = manager.create(values, new Shape(rows, in));
        NDArray plain = Ops.linear(x, w, null);
        float scale = 1 + plain.abs().max().getFloat();
        float tolerance = (bf16 ? 3e-2f : 1e-4f) * scale;  // bfloat16: 8 significant bits
        if (!(plain.sub(call(linear, x, packedWeight)).abs().max().getFloat() <= tolerance)) {
          return false;
        }
      }
    }
    return true;
  }

  private NDArray call(PtSymbolBlock module, NDArray a, NDArray b) {
    try (IValue first = IValue.from((PtNDArray) a);
        IValue second = IValue.from((PtNDArray) b);
        IValue out = module.forward(first, second)) {
      return out.toTensor(manager);
    }
  }

  boolean bf16() {
    return bf16;
  }

  @Override
  public void close() {
    packed.forEach((w, p) -> {
      if (p != w) {
        p.close();
      }
    });
    packed.clear();
    pack.close();
    linear.close();
  }
}
