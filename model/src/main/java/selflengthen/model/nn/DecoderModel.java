package selflengthen.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.config.ModelConfig;

/**
 * The Qwen2 / Llama decoder, written out with NDArray ops in the spirit of nanoGPT's model.py:
 *
 * <pre>
 * x = embed(tokens)
 * for each layer:
 *   h = rms_norm(x) ; q,k,v = split(h W_qkv^T + b) ; q,k = rope(q,k)
 *   x = x + o_proj(softmax(q k^T / sqrt(d) + mask) v)        (grouped-query attention)
 *   h = rms_norm(x) ; g,u = split(h W_gate_up^T)
 *   x = x + down_proj(silu(g) * u)                            (SwiGLU)
 * logits = rms_norm(x) W_lm_head^T                            (tied to embed or not)
 * </pre>
 *
 * Two entry points share the block code: {@link #forward} for generation (writes keys and values
 * into a preallocated {@link KvCache} at per-row positions and attends over the cached prefix) and
 * {@link #hiddenStates} for training (whole sequences, causal mask, autograd-friendly).
 * Op count per block matters on CPU (a few microseconds each): projections are fused, rope needs
 * six ops for q and k together, and masks, rope rows and cache indices are built once per step.
 */
public final class DecoderModel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DecoderModel.class);
  private final ModelConfig config;
  private final DecoderWeights weights;
  private final NDManager manager;
  private final RotaryEmbedding rope;
  private final NDArray eps;
  private final NDArray scale;
  private final NDArray one;
  private final NDArray maskValue;
  private final int nh;
  private final int nkv;
  private final int hd;
  private NDArray columns;
  /**
   * Generation's projections: blocked float32 matmuls, or bfloat16 (EngineOptions.bf16); training
   * keeps the plain kernel for autograd.
   */
  private final GenerationLinear linear;
  /** Every layer of a generation step in one call, when the projections run in oneDNN. */
  private final FusedLayers fused;

  /** Loads a checkpoint's weights onto a device; the model owns (and closes) its manager. */
  public static DecoderModel load(ModelConfig config, java.nio.file.Path dir, Device device)
      throws java.io.IOException {
    return load(config, dir, device, false);
  }

  /**
   * @param bf16 run generation's projections in bfloat16 (see {@link Bf16Linear}); training
   *     ({@link #hiddenStates}) stays in float32
   */
  public static DecoderModel load(ModelConfig config, java.nio.file.Path dir, Device device,
      boolean bf16) throws java.io.IOException {
    NDManager manager = NDManager.newBaseManager(device);
    try {
      var tensors = selflengthen.model.io.WeightFiles.open(dir);
      return new DecoderModel(DecoderWeights.load(config, tensors, manager, device), manager,
          selflengthen.model.engine.Djl.threads(), bf16);
    } catch (java.io.IOException | RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public DecoderModel(DecoderWeights weights, NDManager manager) {
    this(weights, manager, selflengthen.model.engine.Djl.threads(), false);
  }

  /**
   * @param linearBlocks column blocks of few-row projections (see {@link BlockedLinear})
   * @param bf16 generation's projections in bfloat16 (see {@link Bf16Linear})
   */
  DecoderModel(DecoderWeights weights, NDManager manager, int linearBlocks, boolean bf16) {
    this.config = weights.config();
    this.weights = weights;
    this.manager = manager;
    this.rope = new RotaryEmbedding(config, manager);
    this.eps = manager.create((float) config.rmsNormEps());
    this.scale = manager.create((float) (1.0 / Math.sqrt(config.headDim())));
    this.one = manager.create(1f);
    this.maskValue = manager.create(1e30f);
    ai.djl.ndarray.NDScope.unregister(eps, scale, one, maskValue);
    this.nh = config.numHeads();
    this.nkv = config.numKvHeads();
    this.hd = config.headDim();
    boolean gpu = manager.getDevice().isGpu();
    if (bf16 && gpu) {
      Bf16Linear half = new Bf16Linear(manager);
      half.prepare(projectionMatrices(weights));
      this.linear = half;
    } else if (gpu) {
      this.linear = new BlockedLinear(linearBlocks, manager.getDevice());
    } else {
      this.linear = cpuLinear(weights, manager, linearBlocks, bf16);
    }
    this.fused = linear instanceof OneDnnLinear onednn
        ? new FusedLayers(config, weights, onednn, manager) : null;
  }

  /**
   * oneDNN's GEMM (see {@link OneDnnLinear}); where libtorch lacks it, {@link Bf16Linear} or
   * MKL's GEMM, column-blocked.
   */
  private static GenerationLinear cpuLinear(DecoderWeights weights, NDManager manager,
      int linearBlocks, boolean bf16) {
    try {
      OneDnnLinear onednn = OneDnnLinear.load(manager, bf16);
      onednn.prepare(projectionMatrices(weights));
      return onednn;
    } catch (RuntimeException e) {
      LOG.warn("oneDNN linear unavailable in this libtorch ({}); projections use {}",
          e.getMessage(), bf16 ? "PyTorch's bfloat16 matmul" : "MKL");
      if (bf16) {
        Bf16Linear half = new Bf16Linear(manager);
        half.prepare(projectionMatrices(weights));
        return half;
      }
      return new BlockedLinear(linearBlocks, manager.getDevice());
    }
  }

  private static java.util.List<NDArray> projectionMatrices(DecoderWeights weights) {
    java.util.List<NDArray> matrices = new java.util.ArrayList<>();
    for (LayerWeights w : weights.layers()) {
      for (Projection p : Projection.values()) {
        matrices.add(w.weight(p));
      }
    }
    matrices.add(weights.lmHead());
    return matrices;
  }

  /** True when generation's projections run in bfloat16. */
  public boolean bf16() {
    return linear instanceof Bf16Linear || linear instanceof OneDnnLinear o && o.bf16();
  }

  /** What generation's projections run in, for reports: "oneDNN float32 (packed weights)", ... */
  public String projectionKernels() {
    if (linear instanceof OneDnnLinear o) {
      return "oneDNN " + (o.bf16() ? "bfloat16" : "float32") + " (packed weights)"
          + (fused != null ? ", layers fused in TorchScript" : "");
    }
    return linear instanceof Bf16Linear ? "PyTorch bfloat16 matmul" : "PyTorch float32 matmul";
  }

  public ModelConfig config() {
    return config;
  }

  public DecoderWeights weights() {
    return weights;
  }

  public NDManager manager() {
    return manager;
  }

  public Device device() {
    return manager.getDevice();
  }

  /**
   * One generation step over {@code batch} consecutive cache slots starting at {@code slot0}:
   * row b feeds {@code length} tokens at positions startPositions[b].. (right padding beyond a
   * row's real tokens is harmless: causal masking keeps real tokens from seeing it, and the
   * cache columns it writes are overwritten before they become visible). Returns logits
   * [batch, vocab] at outputIndex[b] of each row, or [batch, length, vocab] when outputIndex is
   * null. Arrays created here belong to the caller's NDScope.
   */
  public NDArray forward(long[] tokens, int batch, int length, int slot0, int[] startPositions,
      int[] outputIndex, KvCache cache, LoraDelta lora) {
    int attendLength = 0;
    long[] pos = new long[batch * length];
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < length; t++) {
        pos[b * length + t] = startPositions[b] + t;
      }
      attendLength = Math.max(attendLength, startPositions[b] + length);
    }
    if (attendLength > cache.capacity() || slot0 + batch > cache.slots()) {
      throw new IllegalArgumentException("step exceeds the KV cache: " + attendLength
          + " positions of " + cache.capacity() + ", slots up to " + (slot0 + batch));
    }
    Ctx ctx = new Ctx(batch, length);
    ensureTables(attendLength);
    NDArray positions = manager.create(pos, new Shape(batch, length));
    ctx.cos = Ops.embedding(positions, rope.cos()).reshape(batch, length, 1, hd);
    ctx.sin = Ops.embedding(positions, rope.sinSigned()).reshape(batch, length, 1, hd);
    NDArray cols = columns.get(new NDIndex().addSliceDim(0, attendLength));
    ctx.mask = additiveMask(cols.reshape(1, 1, attendLength)
        .lte(positions.reshape(batch, length, 1)))
        .reshape(batch, 1, 1, length, attendLength);
    long[] slotIds = new long[batch];
    for (int b = 0; b < batch; b++) {
      slotIds[b] = slot0 + b;
    }
    NDArray slots = manager.create(slotIds, new Shape(batch, 1));
    NDArray x = Ops.embedding(manager.create(tokens, new Shape(batch, length)), weights.embed());
    if (fused != null && FusedLayers.accepts(lora)) {
      x = fused.apply(x, cache, ctx.cos, ctx.sin, ctx.mask, slots, positions, slot0,
          attendLength, lora);
    } else {
      // the cache indices only the op-by-op blocks use
      ctx.cache = cache;
      ctx.linear = linear;
      ctx.write = new NDIndex("{}, :, {}", slots, positions);
      ctx.read = new NDIndex().addSliceDim(slot0, slot0 + batch).addAllDim()
          .addSliceDim(0, attendLength);
      for (int l = 0; l < config.numLayers(); l++) {
        x = block(l, x, ctx, lora);
      }
    }
    if (outputIndex != null && length == 1) {
      x = x.reshape(batch, config.hiddenSize());
    } else if (outputIndex != null) {
      long[] rows = new long[batch];
      long[] cols2 = new long[batch];
      for (int b = 0; b < batch; b++) {
        rows[b] = b;
        cols2[b] = outputIndex[b];
      }
      x = x.get(new NDIndex("{}, {}", manager.create(rows), manager.create(cols2)));
    }
    NDArray last = Ops.rmsNorm(x, weights.finalNorm(), eps);
    return linear.apply(last, weights.lmHead(), null);
  }

  /**
   * Training forward over whole right-padded sequences [batch, length]: returns the last hidden
   * states [batch, length, hidden] before the final norm; {@link #logits} finishes the job on the
   * rows that carry a loss.
   */
  public NDArray hiddenStates(NDArray tokens, LoraDelta lora) {
    int batch = (int) tokens.getShape().get(0);
    int length = (int) tokens.getShape().get(1);
    ensureTables(length);
    Ctx ctx = new Ctx(batch, length);
    NDIndex first = new NDIndex().addSliceDim(0, length);
    ctx.cos = rope.cos().get(first).reshape(1, length, 1, hd);
    ctx.sin = rope.sinSigned().get(first).reshape(1, length, 1, hd);
    NDArray cols = columns.get(first);
    ctx.mask = additiveMask(cols.reshape(1, length).lte(cols.reshape(length, 1)))
        .reshape(1, 1, 1, length, length);
    NDArray x = Ops.embedding(tokens, weights.embed());
    for (int l = 0; l < config.numLayers(); l++) {
      x = block(l, x, ctx, lora);
    }
    return x;
  }

  /** Final norm and output projection. */
  public NDArray logits(NDArray hidden) {
    return Ops.linear(Ops.rmsNorm(hidden, weights.finalNorm(), eps), weights.lmHead(), null);
  }

  private NDArray block(int l, NDArray x, Ctx ctx, LoraDelta lora) {
    LayerWeights w = weights.layers().get(l);
    int b = ctx.batch;
    int t = ctx.length;
    NDArray h = Ops.rmsNorm(x, w.inputNorm(), eps);
    NDArray qkv = project(l, Projection.QKV, h, w, lora, ctx).reshape(b, t, nh + 2 * nkv, hd);
    NDList qkvParts = qkv.split(new long[] {nh + nkv}, 2);
    NDArray qk = rope(qkvParts.get(0), ctx.cos, ctx.sin);
    NDList qkParts = qk.split(new long[] {nh}, 2);
    NDArray q = qkParts.get(0);
    NDArray keys;
    NDArray values;
    if (ctx.cache != null) {
      NDArray cacheK = ctx.cache.keys(l);
      NDArray cacheV = ctx.cache.values(l);
      cacheK.set(ctx.write, qkParts.get(1));
      cacheV.set(ctx.write, qkvParts.get(1));
      keys = cacheK.get(ctx.read);
      values = cacheV.get(ctx.read);
    } else {
      keys = qkParts.get(1).transpose(0, 2, 1, 3);
      values = qkvParts.get(1).transpose(0, 2, 1, 3);
    }
    NDArray attended = attend(q, keys, values, ctx.mask, b, t);
    x = x.add(project(l, Projection.O, attended, w, lora, ctx));
    NDArray h2 = Ops.rmsNorm(x, w.postNorm(), eps);
    NDList gateUp = project(l, Projection.GATE_UP, h2, w, lora, ctx)
        .split(new long[] {config.intermediateSize()}, 2);
    NDArray act = Ops.silu(gateUp.get(0)).mul(gateUp.get(1));
    return x.add(project(l, Projection.DOWN, act, w, lora, ctx));
  }

  private NDArray project(int l, Projection p, NDArray input, LayerWeights w, LoraDelta lora,
      Ctx ctx) {
    NDArray out = ctx.linear != null ? ctx.linear.apply(input, w.weight(p), w.bias(p))
        : Ops.linear(input, w.weight(p), w.bias(p));
    if (lora != null) {
      NDArray delta = lora.delta(l, p, input);
      if (delta != null) {
        out = out.add(delta);
      }
    }
    return out;
  }

  /** x * cos + swapHalves(x) * sinSigned over the last axis. */
  private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
    NDList halves = x.split(new long[] {hd / 2}, 3);
    NDArray swapped = NDArrays.concat(new NDList(halves.get(1), halves.get(0)), 3);
    return x.mul(cos).add(swapped.mul(sin));
  }

  /**
   * Grouped-query attention: query heads of one kv head are stacked along the time axis
   * ([b, kv, group*t, d]) so that the cached keys are used as they are, without repeating them.
   */
  private NDArray attend(NDArray q, NDArray keys, NDArray values, NDArray mask, int b, int t) {
    int group = nh / nkv;
    long span = keys.getShape().get(2);
    NDArray qh = q.transpose(0, 2, 1, 3).reshape(b, nkv, (long) group * t, hd).mul(scale);
    NDArray scores = qh.matMul(keys.transpose(0, 1, 3, 2))
        .reshape(b, nkv, group, t, span)
        .add(mask)
        .reshape(b, nkv, (long) group * t, span);
    NDArray out = scores.softmax(3).matMul(values);
    return out.reshape(b, nh, t, hd).transpose(0, 2, 1, 3).reshape(b, t, (long) nh * hd);
  }

  private NDArray additiveMask(NDArray allowed) {
    return allowed.toType(DataType.FLOAT32, false).sub(one).mul(maskValue);
  }

  private void ensureTables(int length) {
    rope.ensure(length);
    if (columns == null || columns.getShape().get(0) < length) {
      if (columns != null) {
        columns.close();
      }
      columns = manager.arange(0, Math.max(length, 256) * 2L, 1, DataType.INT64);
      ai.djl.ndarray.NDScope.unregister(columns);
    }
  }

  @Override
  public void close() {
    if (fused != null) {
      fused.close();
    }
    linear.close();
    rope.close();
    if (columns != null) {
      columns.close();
    }
    weights.close();
    eps.close();
    scale.close();
    one.close();
    maskValue.close();
    manager.close();
  }

  /** Per-step values shared by all blocks. */
  private static final class Ctx {
    final int batch;
    final int length;
    NDArray cos;
    NDArray sin;
    NDArray mask;
    KvCache cache;
    /** Set for generation: the model's generation projections; null for training. */
    GenerationLinear linear;
    NDIndex write;
    NDIndex read;

    Ctx(int batch, int length) {
      this.batch = batch;
      this.length = length;
    }
  }
}
