package selflengthen.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import java.util.ArrayList;
import java.util.List;
import selflengthen.model.config.ModelConfig;

/**
 * Every decoder layer of a generation step in one call: {@code onednn-layers.pt} (written by
 * tools/torchscript/write_onednn_modules.py) does {@link DecoderModel}'s block arithmetic, layer
 * after layer, with the projections in oneDNN on {@link OneDnnLinear}'s packed weights and the
 * LoRA factors of a {@link LoraFactors} adapter.
 *
 * <p>Why: a decode step is about 60 small operations per layer, and each one called through DJL
 * costs several microseconds of JNI and bookkeeping whatever its size; at batch 1 they took as
 * long as the projections. Inside TorchScript the same operations dispatch in C++.
 */
final class FusedLayers implements AutoCloseable {
  private static final String MODULE = "onednn-layers.pt";

  private final PtNDManager manager;
  private final PtSymbolBlock module;
  private final IValue weights;
  private final IValue noLora;
  private final PtNDArray empty;
  private final long[] dims;
  private final double[] scalars;

  FusedLayers(ModelConfig config, DecoderWeights decoder, OneDnnLinear linear, NDManager manager) {
    this.manager = (PtNDManager) manager;
    this.module = TorchScriptModules.load(this.manager, MODULE);
    this.empty = (PtNDArray) manager.create(new float[0]);
    NDScope.unregister(empty);
    List<PtNDArray> list = new ArrayList<>();
    for (LayerWeights w : decoder.layers()) {
      list.add((PtNDArray) w.inputNorm());
      list.add((PtNDArray) linear.packed(w.qkv()));
      list.add(orEmpty(w.qkvBias()));
      list.add((PtNDArray) linear.packed(w.o()));
      list.add(orEmpty(w.oBias()));
      list.add((PtNDArray) w.postNorm());
      list.add((PtNDArray) linear.packed(w.gateUp()));
      list.add(empty);
      list.add((PtNDArray) linear.packed(w.down()));
      list.add(empty);
    }
    this.weights = IValue.listFrom(list.toArray(new PtNDArray[0]));
    this.noLora = IValue.listFrom(new PtNDArray[0]);
    this.dims = new long[] {0, 0, config.numHeads(), config.numKvHeads(), config.headDim(),
        config.intermediateSize(), linear.bf16() ? 1 : 0};
    this.scalars = new double[] {(float) config.rmsNormEps(),
        (float) (1.0 / Math.sqrt(config.headDim()))};
  }

  private PtNDArray orEmpty(NDArray a) {
    return a == null ? empty : (PtNDArray) a;
  }

  /** Whether this adapter (null: none) can ride along inside the call. */
  static boolean accepts(LoraDelta lora) {
    return lora == null || lora instanceof LoraFactors;
  }

  /**
   * x [batch, length, hidden] after the embedding through every layer, writing the step's keys
   * and values into {@code cache} at {@code slots} [batch, 1] x {@code positions} [batch, length].
   */
  NDArray apply(NDArray x, KvCache cache, NDArray cos, NDArray sin, NDArray mask, NDArray slots,
      NDArray positions, int slot0, int attendLength, LoraDelta lora) {
    int layers = cache.layers();
    PtNDArray[] keys = new PtNDArray[layers];
    PtNDArray[] values = new PtNDArray[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = (PtNDArray) cache.keys(l);
      values[l] = (PtNDArray) cache.values(l);
    }
    long[] ints = dims.clone();
    ints[0] = slot0;
    ints[1] = attendLength;
    try (IValue xi = IValue.from((PtNDArray) x);
        IValue loraList = lora == null ? null : factors((LoraFactors) lora, layers);
        IValue keyList = IValue.listFrom(keys);
        IValue valueList = IValue.listFrom(values);
        IValue cosi = IValue.from((PtNDArray) cos);
        IValue sini = IValue.from((PtNDArray) sin);
        IValue maski = IValue.from((PtNDArray) mask);
        IValue slotsi = IValue.from((PtNDArray) slots);
        IValue positionsi = IValue.from((PtNDArray) positions);
        IValue intList = IValue.listFrom(ints);
        IValue floatList = IValue.listFrom(scalars);
        IValue out = module.forward(xi, weights, loraList == null ? noLora : loraList, keyList,
            valueList, cosi, sini, maski, slotsi, positionsi, intList, floatList)) {
      return out.toTensor(manager);
    }
  }

  /** A then B for each layer's four projections, an empty tensor where one is not adapted. */
  private IValue factors(LoraFactors lora, int layers) {
    PtNDArray[] list = new PtNDArray[layers * 8];
    Projection[] ps = Projection.values();
    for (int l = 0; l < layers; l++) {
      for (int p = 0; p < ps.length; p++) {
        NDArray a = lora.a(l, ps[p]);
        list[8 * l + 2 * p] = a == null ? empty : (PtNDArray) a;
        list[8 * l + 2 * p + 1] = a == null ? empty : (PtNDArray) lora.b(l, ps[p]);
      }
    }
    return IValue.listFrom(list);
  }

  @Override
  public void close() {
    weights.close();
    noLora.close();
    module.close();
    empty.close();
  }
}
