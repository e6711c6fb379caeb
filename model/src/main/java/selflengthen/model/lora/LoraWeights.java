package selflengthen.model.lora;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.io.DType;
import selflengthen.model.io.NDArrayReader;
import selflengthen.model.io.SafetensorsFile;
import selflengthen.model.io.SafetensorsWriter;
import selflengthen.model.io.TensorInfo;
import selflengthen.model.io.TensorSource;
import selflengthen.model.nn.LoraDelta;
import selflengthen.model.nn.Projection;
import selflengthen.model.nn.WeightNames;

/**
 * A LoRA adapter's A and B matrices per adapted module, under PEFT's tensor names
 * ({@code base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight} [r, in] and
 * {@code ...lora_B.weight} [out, r]), so adapters move freely between this engine, PEFT and vLLM.
 * Used directly for training ({@link #trainingDelta}) and fused per projection for generation
 * ({@link #fused}).
 */
public final class LoraWeights implements AutoCloseable {
  public static final String WEIGHTS_FILE = "adapter_model.safetensors";

  private final ModelConfig model;
  private final LoraConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> tensors;

  private LoraWeights(ModelConfig model, LoraConfig config, NDManager manager,
      Map<String, NDArray> tensors) {
    this.model = model;
    this.config = config;
    this.manager = manager;
    this.tensors = tensors;
  }

  public static String name(int layer, String module, String ab) {
    return "base_model.model." + WeightNames.module(layer, module) + ".lora_" + ab + ".weight";
  }

  /** PEFT's initialisation: A uniform in +-1/sqrt(in) (kaiming, a=sqrt(5)), B zero. */
  public static LoraWeights init(ModelConfig model, LoraConfig config, long seed, NDManager parent) {
    NDManager manager = parent.newSubManager();
    Map<String, NDArray> t = new LinkedHashMap<>();
    for (int l = 0; l < model.numLayers(); l++) {
      for (String m : config.targetModules()) {
        long in = WeightNames.inFeatures(model, m);
        long out = WeightNames.rows(model, m);
        String a = name(l, m, "A");
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + a.hashCode());
        float bound = (float) (1.0 / Math.sqrt(in));
        float[] values = new float[(int) (config.rank() * in)];
        for (int i = 0; i < values.length; i++) {
          values[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
        t.put(a, keep(manager.create(values, new Shape(config.rank(), in))));
        t.put(name(l, m, "B"), keep(manager.zeros(new Shape(out, config.rank()), DataType.FLOAT32)));
      }
    }
    return new LoraWeights(model, config, manager, t);
  }

  /** Reads adapter_config.json and adapter_model.safetensors, checking names and shapes. */
  public static LoraWeights load(Path dir, ModelConfig model, NDManager parent, Device device)
      throws IOException {
    LoraConfig config = LoraConfig.read(dir);
    List<TensorInfo> checked = checkedTensors(dir, config, model);
    NDManager manager = parent.newSubManager(device);
    NDArrayReader reader = new NDArrayReader(manager, device);
    Map<String, NDArray> t = new LinkedHashMap<>();
    try {
      for (TensorInfo info : checked) {
        t.put(info.name(), keep(reader.read(info)));
      }
    } catch (IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
    return new LoraWeights(model, config, manager, t);
  }

  /**
   * Checks that {@code dir} is an adapter this engine can apply to {@code model}, reading only
   * adapter_config.json and the safetensors header: supported options, tensor names, shapes
   * (rank and the base model's dimensions) and byte ranges. Throws what {@link #load} would.
   */
  public static void check(Path dir, ModelConfig model) throws IOException {
    checkedTensors(dir, LoraConfig.read(dir), model);
  }

  /** The adapter's A and B tensors, in layer and module order, after checking all of them. */
  private static List<TensorInfo> checkedTensors(Path dir, LoraConfig config, ModelConfig model)
      throws IOException {
    Path file = dir.resolve(WEIGHTS_FILE);
    if (!Files.exists(file)) {
      if (Files.exists(dir.resolve("adapter_model.bin"))) {
        throw new IOException(dir + " holds adapter_model.bin; save the adapter with"
            + " safe_serialization=True");
      }
      throw new NoSuchFileException(file.toString(), null, "adapter has no weights file");
    }
    Map<String, TensorInfo> infos = new LinkedHashMap<>(SafetensorsFile.open(file).tensors());
    List<TensorInfo> checked = new ArrayList<>();
    for (int l = 0; l < model.numLayers(); l++) {
      for (String m : Projection.ALL_MODULES) {
        TensorInfo a = infos.remove(name(l, m, "A"));
        TensorInfo b = infos.remove(name(l, m, "B"));
        if (a == null && b == null) {
          continue;
        }
        if (a == null || b == null) {
          throw new IllegalArgumentException(file + ": module " + WeightNames.module(l, m)
              + " has only one of lora_A / lora_B");
        }
        NDArrayReader.checkShape(a, config.rank(), WeightNames.inFeatures(model, m));
        NDArrayReader.checkShape(b, WeightNames.rows(model, m), config.rank());
        checked.add(a);
        checked.add(b);
      }
    }
    if (!infos.isEmpty()) {
      throw new IllegalArgumentException(file + ": unexpected tensor '"
          + infos.keySet().iterator().next() + "' (this engine adapts q/k/v/o/gate/up/down only)");
    }
    if (checked.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no LoRA tensors for this model");
    }
    return checked;
  }

  private static NDArray keep(NDArray a) {
    NDScope.unregister(a);
    return a;
  }

  public LoraConfig config() {
    return config;
  }

  /** A and B by PEFT name (the trainable parameters). */
  public Map<String, NDArray> parameters() {
    return tensors;
  }

  private NDArray a(int layer, String module) {
    return tensors.get(name(layer, module, "A"));
  }

  private NDArray b(int layer, String module) {
    return tensors.get(name(layer, module, "B"));
  }

  /** Writes adapter_config.json and adapter_model.safetensors (float32). */
  public void save(Path dir, String baseModel) throws IOException {
    Files.createDirectories(dir);
    List<TensorSource> sources = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      NDArray arr = e.getValue();
      sources.add(new TensorSource(e.getKey(), arr.getShape().getShape(), () -> {
        float[] f = arr.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(f);
        return b;
      }));
    }
    SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), sources, DType.F32);
    config.write(dir, baseModel);
  }

  /**
   * The adapter as applied in training: each module's own dropout on its input, then
   * scale * B(A(x)); modules a projection holds but the adapter lacks contribute zeros.
   */
  public LoraDelta trainingDelta(float dropout, boolean training) {
    NDArray scale = keep(manager.create(config.scale()));
    return (layer, projection, input) -> {
      List<String> modules = projection.modules();
      NDList parts = new NDList();
      boolean any = false;
      for (String m : modules) {
        NDArray a = a(layer, m);
        if (a == null) {
          Shape s = input.getShape();
          parts.add(input.getManager().zeros(
              s.slice(0, s.dimension() - 1).add(WeightNames.rows(model, m)), DataType.FLOAT32,
              input.getDevice()));
          continue;
        }
        any = true;
        NDArray x = dropoutOf(input, dropout, training);
        NDArray h = x.getNDArrayInternal().linear(x, a, null).singletonOrThrow();
        NDArray y = h.getNDArrayInternal().linear(h, b(layer, m), null).singletonOrThrow();
        parts.add(y.mul(scale));
      }
      if (!any) {
        return null;
      }
      return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, -1);
    };
  }

  private static NDArray dropoutOf(NDArray x, float rate, boolean training) {
    if (!training || rate <= 0) {
      return x;
    }
    return x.getNDArrayInternal().dropout(x, rate, true).singletonOrThrow();
  }

  /**
   * The adapter for generation: per layer and projection one stacked A [sum r, in] and one
   * block-diagonal, pre-scaled B [out, sum r], so a fused projection costs two extra matmuls.
   */
  public FusedLora fused(NDManager parent) {
    NDManager m = parent.newSubManager(manager.getDevice());
    NDArray[][] as = new NDArray[model.numLayers()][Projection.values().length];
    NDArray[][] bs = new NDArray[model.numLayers()][Projection.values().length];
    int r = config.rank();
    try (NDScope scope = new NDScope()) {
      for (int l = 0; l < model.numLayers(); l++) {
        for (Projection p : Projection.values()) {
          List<String> present = new ArrayList<>();
          for (String mod : p.modules()) {
            if (a(l, mod) != null) {
              present.add(mod);
            }
          }
          if (present.isEmpty()) {
            continue;
          }
          NDList aList = new NDList();
          NDArray block = m.zeros(new Shape(WeightNames.rows(model, p), (long) r * present.size()),
              DataType.FLOAT32);
          for (int j = 0; j < present.size(); j++) {
            String mod = present.get(j);
            aList.add(a(l, mod));
            long r0 = WeightNames.rowOffset(model, mod);
            block.set(new NDIndex().addSliceDim(r0, r0 + WeightNames.rows(model, mod))
                .addSliceDim((long) j * r, (long) (j + 1) * r), b(l, mod).mul(config.scale()));
          }
          NDArray stacked = aList.size() == 1 ? aList.get(0).duplicate() : NDArrays.concat(aList, 0);
          stacked.attach(m);
          block.attach(m);
          NDScope.unregister(stacked, block);
          as[l][p.ordinal()] = stacked;
          bs[l][p.ordinal()] = block;
        }
      }
    }
    return new FusedLora(m, as, bs);
  }

  /**
   * Adds scale * B A into a base model's fused weights (merging the adapter into the base).
   */
  public void mergeInto(selflengthen.model.nn.DecoderWeights base) {
    try (NDScope scope = new NDScope()) {
      for (int l = 0; l < model.numLayers(); l++) {
        for (String mod : Projection.ALL_MODULES) {
          if (a(l, mod) == null) {
            continue;
          }
          NDArray w = base.projection(l, Projection.of(mod));
          long r0 = WeightNames.rowOffset(model, mod);
          NDIndex rows = new NDIndex().addSliceDim(r0, r0 + WeightNames.rows(model, mod));
          NDArray delta = b(l, mod).matMul(a(l, mod)).mul(config.scale());
          w.set(rows, w.get(rows).add(delta));
        }
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
