package selflengthen.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.io.NDArrayReader;
import selflengthen.model.io.NDArrayReader.Part;
import selflengthen.model.io.TensorInfo;
import selflengthen.model.io.TensorSource;

/** All weights of a decoder, in float32 on one device, with q/k/v and gate/up fused. */
public final class DecoderWeights implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecoderWeights.class);

  private final ModelConfig config;
  private final NDArray embed;
  private final NDArray lmHead;
  private final NDArray finalNorm;
  private final List<LayerWeights> layers;

  DecoderWeights(ModelConfig config, NDArray embed, NDArray lmHead, NDArray finalNorm,
      List<LayerWeights> layers) {
    this.config = config;
    this.embed = embed;
    this.lmHead = lmHead;
    this.finalNorm = finalNorm;
    this.layers = List.copyOf(layers);
  }

  public ModelConfig config() {
    return config;
  }

  NDArray embed() {
    return embed;
  }

  NDArray lmHead() {
    return lmHead;
  }

  NDArray finalNorm() {
    return finalNorm;
  }

  List<LayerWeights> layers() {
    return layers;
  }

  /** The fused weight matrix of one projection of one layer. */
  public NDArray projection(int layer, Projection p) {
    return layers.get(layer).weight(p);
  }

  /** Reads a checkpoint's tensors, checking every name and shape against the config. */
  public static DecoderWeights load(ModelConfig c, Map<String, TensorInfo> tensors,
      NDManager manager, Device device) throws IOException {
    Set<String> used = new HashSet<>();
    NDArrayReader reader = new NDArrayReader(manager, device);
    long h = c.hiddenSize();
    List<LayerWeights> layers = new ArrayList<>();
    NDArray embed = reader.read(take(tensors, used, WeightNames.EMBED, c.vocabSize(), h));
    NDArray lmHead;
    if (c.tieWordEmbeddings()) {
      lmHead = embed;
      used.add(WeightNames.LM_HEAD);
    } else {
      lmHead = reader.read(take(tensors, used, WeightNames.LM_HEAD, c.vocabSize(), h));
    }
    for (int l = 0; l < c.numLayers(); l++) {
      layers.add(new LayerWeights(
          reader.read(take(tensors, used, WeightNames.layer(l, "input_layernorm.weight"), h)),
          fused(c, reader, tensors, used, l, Projection.QKV, "weight"),
          c.attentionBias() ? fused(c, reader, tensors, used, l, Projection.QKV, "bias") : null,
          fused(c, reader, tensors, used, l, Projection.O, "weight"),
          c.outputBias() ? fused(c, reader, tensors, used, l, Projection.O, "bias") : null,
          reader.read(
              take(tensors, used, WeightNames.layer(l, "post_attention_layernorm.weight"), h)),
          fused(c, reader, tensors, used, l, Projection.GATE_UP, "weight"),
          fused(c, reader, tensors, used, l, Projection.DOWN, "weight")));
    }
    NDArray norm = reader.read(take(tensors, used, WeightNames.NORM, h));
    for (String name : tensors.keySet()) {
      if (!used.contains(name) && !name.endsWith("rotary_emb.inv_freq")) {
        LOG.warn("ignoring tensor '{}' that this architecture does not use", name);
      }
    }
    return new DecoderWeights(c, embed, lmHead, norm, layers);
  }

  private static NDArray fused(ModelConfig c, NDArrayReader reader, Map<String, TensorInfo> t,
      Set<String> used, int layer, Projection p, String kind) throws IOException {
    List<Part> parts = new ArrayList<>();
    long in = WeightNames.inFeatures(c, p.modules().get(0));
    for (String m : p.modules()) {
      String name = WeightNames.module(layer, m) + "." + kind;
      long rows = WeightNames.rows(c, m);
      TensorInfo info = kind.equals("bias") ? take(t, used, name, rows) : take(t, used, name, rows, in);
      parts.add(new Part(info, WeightNames.rowOffset(c, m)));
    }
    long total = WeightNames.rows(c, p);
    Shape shape = kind.equals("bias") ? new Shape(total) : new Shape(total, in);
    return reader.read(shape, parts);
  }

  private static TensorInfo take(Map<String, TensorInfo> tensors, Set<String> used, String name,
      long... shape) {
    TensorInfo t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("checkpoint is missing tensor '" + name + "'");
    }
    NDArrayReader.checkShape(t, shape);
    used.add(name);
    return t;
  }

  /**
   * Every weight under its Hugging Face name, fused projections split back, for saving a full
   * checkpoint that transformers and vLLM load.
   */
  public List<TensorSource> tensorSources() {
    List<TensorSource> out = new ArrayList<>();
    out.add(source(WeightNames.EMBED, embed, null));
    for (int l = 0; l < layers.size(); l++) {
      LayerWeights lw = layers.get(l);
      out.add(source(WeightNames.layer(l, "input_layernorm.weight"), lw.inputNorm(), null));
      for (Projection p : Projection.values()) {
        for (String m : p.modules()) {
          long r0 = WeightNames.rowOffset(config, m);
          long r1 = r0 + WeightNames.rows(config, m);
          String base = WeightNames.module(l, m);
          out.add(source(base + ".weight", lw.weight(p), new long[] {r0, r1}));
          if (lw.bias(p) != null) {
            out.add(source(base + ".bias", lw.bias(p), new long[] {r0, r1}));
          }
        }
      }
      out.add(source(WeightNames.layer(l, "post_attention_layernorm.weight"), lw.postNorm(), null));
    }
    out.add(source(WeightNames.NORM, finalNorm, null));
    if (!config.tieWordEmbeddings()) {
      out.add(source(WeightNames.LM_HEAD, lmHead, null));
    }
    return out;
  }

  private static TensorSource source(String name, NDArray array, long[] rows) {
    long[] shape = array.getShape().getShape().clone();
    if (rows != null) {
      shape[0] = rows[1] - rows[0];
    }
    return new TensorSource(name, shape, () -> floats(array, rows));
  }

  /** A float32 view (CPU) or copy (other devices) of rows [r0, r1) of an array. */
  static ByteBuffer floats(NDArray array, long[] rows) {
    if (rows == null && array.getDevice().equals(Device.cpu())) {
      return array.toByteBuffer(true);
    }
    try (NDArray slice = rows == null ? array.duplicate()
        : array.get(new NDIndex().addSliceDim(rows[0], rows[1]))) {
      if (slice.getDevice().equals(Device.cpu())) {
        // a row range of a contiguous CPU tensor is contiguous: this is a view on its storage,
        // which outlives the closed slice handle
        return slice.toByteBuffer(true);
      }
      return ByteBuffer.wrap(slice.toByteArray()).order(java.nio.ByteOrder.nativeOrder());
    }
  }

  /** Trainable arrays by a stable internal name (for optimizer state). */
  public Map<String, NDArray> parameters() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("embed", embed);
    for (int l = 0; l < layers.size(); l++) {
      LayerWeights lw = layers.get(l);
      String p = "layers." + l + ".";
      out.put(p + "input_norm", lw.inputNorm());
      out.put(p + "qkv", lw.qkv());
      if (lw.qkvBias() != null) {
        out.put(p + "qkv_bias", lw.qkvBias());
      }
      out.put(p + "o", lw.o());
      if (lw.oBias() != null) {
        out.put(p + "o_bias", lw.oBias());
      }
      out.put(p + "post_norm", lw.postNorm());
      out.put(p + "gate_up", lw.gateUp());
      out.put(p + "down", lw.down());
    }
    out.put("norm", finalNorm);
    if (!config.tieWordEmbeddings()) {
      out.put("lm_head", lmHead);
    }
    return out;
  }

  public long bytes() {
    long n = 0;
    for (NDArray a : parameters().values()) {
      n += a.getShape().size() * 4;
    }
    return n;
  }

  @Override
  public void close() {
    for (NDArray a : parameters().values()) {
      a.close();
    }
  }
}
