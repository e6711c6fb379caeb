package selflengthen.model.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.CheckpointWriter;
import selflengthen.model.engine.Djl;
import selflengthen.model.api.Trainer;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingListener;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.io.DType;
import selflengthen.model.lora.LoraConfig;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.LoraDelta;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Supervised fine-tuning in process with DJL autograd: LoRA over a frozen base (PEFT adapter
 * out) or full fine-tuning (Hugging Face checkpoint out), AdamW, warm-up then cosine / linear /
 * constant schedule, gradient accumulation, clipping at norm 1, float32 throughout.
 *
 * <p>Resumable: every {@code checkpointEvery} steps the trainable weights, AdamW moments and
 * step counter go to {@code checkpointDir}; running the same job again continues from there.
 * The data order is a function of the seed and epoch and dropout is seeded per micro-batch, so
 * a resumed run retraces the interrupted run's loss curve.
 */
public final class SftTrainer implements Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(SftTrainer.class);
  private static final double MAX_GRAD_NORM = 1.0;
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPSILON = 1e-8f;

  private final String device;

  public SftTrainer() {
    this("cpu");
  }

  public SftTrainer(String device) {
    this.device = device;
  }

  /**
   * Chooses where the next run of a job with this checkpoint directory starts: from {@code
   * checkpoint} (one of its checkpoint-N directories), or afresh when null. Without a call, a run
   * continues from the newest checkpoint.
   */
  public static void resumeFrom(java.nio.file.Path checkpointDir, java.nio.file.Path checkpoint)
      throws IOException {
    TrainingCheckpoints.select(checkpointDir, checkpoint);
  }

  @Override
  public TrainingReport train(TrainingJob job, TrainingListener listener) {
    try {
      return run(job, listener == null ? TrainingListener.NONE : listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private TrainingReport run(TrainingJob job, TrainingListener listener) throws IOException {
    TrainingConfig cfg = job.config();
    validate(job);
    Djl.engine();
    Device dev = Djl.device(device);
    Checkpoint base = Checkpoint.read(job.baseModel());
    boolean wasGrad = JniUtils.isGradMode();
    try (TextTokenizer tokenizer = base.loadTokenizer();
        DecoderModel model = DecoderModel.load(base.config(), job.baseModel(), dev)) {
      Set<Integer> eos = base.eosTokenIds(tokenizer);
      int endToken = SftDataset.endOfTurnToken(base.chatTemplate(), tokenizer, eos);
      List<SftDataset.Sample> data = SftDataset.build(job.examples(), base.chatTemplate(),
          tokenizer, endToken, cfg.cutoffLen());
      if (data.isEmpty()) {
        throw new IllegalArgumentException("no example has a response token left after cut-off");
      }
      int batch = Math.max(1, cfg.batchSize());
      int accumulation = Math.max(1, cfg.gradientAccumulation());
      long stepsPerEpoch = (data.size() + (long) batch * accumulation - 1) / ((long) batch * accumulation);
      long totalSteps = Math.max(1, (long) Math.ceil(stepsPerEpoch * (double) cfg.epochs()));
      LrSchedule schedule = LrSchedule.of(cfg.lrScheduler(), cfg.learningRate(), totalSteps,
          cfg.warmupRatio());
      String fingerprint = TrainingState.fingerprint(job, data.size());

      LoraWeights lora = null;
      Map<String, NDArray> params;
      if (cfg.fullFineTune()) {
        params = model.weights().parameters();
      } else {
        lora = job.initAdapter() != null
            ? LoraWeights.load(job.initAdapter(), base.config(), model.manager(), dev)
            : LoraWeights.init(base.config(), new LoraConfig(cfg.loraRank(), cfg.loraAlpha(),
                cfg.loraDropout(), cfg.loraTargets(), false), cfg.seed(), model.manager());
        if (job.initAdapter() != null) {
          LOG.info("continuing adapter {} (r={}, alpha={})", job.initAdapter(),
              lora.config().rank(), lora.config().alpha());
        }
        params = lora.parameters();
      }
      AdamW optimizer = new AdamW(params, model.manager());
      TrainingState state = TrainingState.load(job.checkpointDir(), fingerprint);
      boolean resumed = state != null;
      if (resumed) {
        TrainingCheckpoints.restore(job.checkpointDir(), state, params, optimizer);
        LOG.info("resuming at step {} of {} from {}", state.step(), totalSteps, job.checkpointDir());
      } else {
        state = TrainingState.start(fingerprint, totalSteps);
      }
      params.values().forEach(p -> p.setRequiresGradient(true));
      Djl.setGradMode(true);
      LoraDelta delta = lora == null ? null : lora.trainingDelta(cfg.loraDropout(), true);
      long tokensSeen = 0;
      long nanos = 0;
      for (long step = state.step(); step < totalSteps; step++) {
        long t0 = System.nanoTime();
        List<List<SftDataset.Sample>> micro = microBatches(data, step, stepsPerEpoch, batch,
            accumulation, cfg.seed());
        double loss = 0;
        long tokens = 0;
        for (int i = 0; i < micro.size(); i++) {
          Engine.getEngine("PyTorch").setRandomSeed((int) (cfg.seed() * 1_000_003L + step * 1009L + i));
          try (NDScope scope = new NDScope()) {
            NDArray l = microBatchLoss(model, delta, micro.get(i)).div(micro.size());
            NDArray ones = l.onesLike();
            JniUtils.backward((PtNDArray) l, (PtNDArray) ones, false, false);
            loss += l.getFloat();
          }
          for (SftDataset.Sample s : micro.get(i)) {
            tokens += s.ids().length;
          }
        }
        double lr = schedule.at(step);
        optimizer.step((float) lr, cfg.weightDecay(), MAX_GRAD_NORM, BETA1, BETA2, EPSILON);
        long dt = System.nanoTime() - t0;
        tokensSeen += tokens;
        nanos += dt;
        state = state.after(step + 1, loss);
        listener.onStep(new TrainingProgress(step + 1, totalSteps,
            (double) (step + 1) / stepsPerEpoch, loss, lr, tokens / (dt / 1e9)));
        if (cfg.checkpointEvery() > 0 && (step + 1) % cfg.checkpointEvery() == 0
            && step + 1 < totalSteps) {
          Djl.setGradMode(false);
          TrainingCheckpoints.save(job.checkpointDir(), state, params, optimizer, lora,
              job.baseModel().toString());
          Djl.setGradMode(true);
        }
      }
      Djl.setGradMode(false);
      params.values().forEach(p -> p.setRequiresGradient(false));
      if (lora != null) {
        lora.save(job.outputDir(), job.baseModel().toAbsolutePath().toString());
      } else {
        CheckpointWriter.save(model.weights(), base.config(), job.baseModel(), job.outputDir(),
            DType.F32);
      }
      TrainingCheckpoints.save(job.checkpointDir(), state, params, optimizer, lora,
          job.baseModel().toString());
      if (lora != null) {
        lora.close();
      }
      double tps = nanos == 0 ? 0 : tokensSeen / (nanos / 1e9);
      LOG.info("trained {} steps ({} examples): loss {} -> {}, {} tokens/s", state.step(),
          data.size(), String.format("%.4f", state.firstLoss()),
          String.format("%.4f", state.lastLoss()), String.format("%.0f", tps));
      return new TrainingReport(job.outputDir(), state.step(), state.firstLoss(), state.lastLoss(),
          tps, data.size(), resumed);
    } finally {
      Djl.setGradMode(wasGrad);
    }
  }

  private static void validate(TrainingJob job) {
    TrainingConfig c = job.config();
    if (job.examples() == null || job.examples().isEmpty()) {
      throw new IllegalArgumentException("training job has no examples");
    }
    if (job.outputDir() == null || job.checkpointDir() == null) {
      throw new IllegalArgumentException("training job needs outputDir and checkpointDir");
    }
    if (c.learningRate() < 0 || c.epochs() <= 0) {
      throw new IllegalArgumentException("learning rate must be >= 0 and epochs > 0");
    }
    if (!c.fullFineTune() && c.loraRank() <= 0 && job.initAdapter() == null) {
      throw new IllegalArgumentException("LoRA rank must be positive");
    }
  }

  /** The micro-batches of one optimizer step: a slice of the epoch's seeded permutation. */
  static List<List<SftDataset.Sample>> microBatches(List<SftDataset.Sample> data, long step,
      long stepsPerEpoch, int batch, int accumulation, long seed) {
    long epoch = step / stepsPerEpoch;
    int[] order = permutation(data.size(), seed, epoch);
    int start = (int) ((step % stepsPerEpoch) * batch * accumulation);
    int end = Math.min(data.size(), start + batch * accumulation);
    List<List<SftDataset.Sample>> out = new ArrayList<>();
    for (int i = start; i < end; i += batch) {
      List<SftDataset.Sample> mb = new ArrayList<>();
      for (int j = i; j < Math.min(end, i + batch); j++) {
        mb.add(data.get(order[j]));
      }
      out.add(mb);
    }
    return out;
  }

  static int[] permutation(int n, long seed, long epoch) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /**
   * Mean cross-entropy of the response tokens of one micro-batch. The samples run in groups of
   * similar length ({@link LengthGroups}), each right-padded to its own longest: with causal
   * attention a sample's logits do not depend on the padding after it, so the loss (the sum over
   * the groups divided by the micro-batch's response tokens) and its gradients are those of the
   * whole micro-batch padded to its longest sample, without the padding's compute (a micro-batch of
   * 8 demo examples spans 40 to 1,000 tokens).
   */
  static NDArray microBatchLoss(DecoderModel model, LoraDelta delta,
      List<SftDataset.Sample> samples) {
    int count = 0;
    for (SftDataset.Sample s : samples) {
      count += s.ids().length - s.promptLength();
    }
    NDArray sum = null;
    for (List<SftDataset.Sample> group : LengthGroups.of(samples)) {
      NDArray part = responseLogProbSum(model, delta, group);
      sum = sum == null ? part : sum.add(part);
    }
    return sum.neg().div(count);
  }

  /** Sum of the log-probabilities of the response tokens of one right-padded group. */
  static NDArray responseLogProbSum(DecoderModel model, LoraDelta delta,
      List<SftDataset.Sample> samples) {
    int b = samples.size();
    int len = 0;
    int count = 0;
    for (SftDataset.Sample s : samples) {
      len = Math.max(len, s.ids().length);
      count += s.ids().length - s.promptLength();
    }
    long[] tokens = new long[b * len];
    long[] rows = new long[count];
    long[] targets = new long[count];
    int k = 0;
    for (int i = 0; i < b; i++) {
      int[] ids = samples.get(i).ids();
      for (int t = 0; t < ids.length; t++) {
        tokens[i * len + t] = ids[t];
      }
      for (int t = samples.get(i).promptLength(); t < ids.length; t++) {
        rows[k] = (long) i * len + t - 1;
        targets[k++] = ids[t];
      }
    }
    NDManager m = model.manager();
    NDArray hidden = model.hiddenStates(m.create(tokens, new Shape(b, len)), delta);
    NDArray picked = hidden.reshape(-1, hidden.getShape().get(2)).get(new NDIndex("{}", m.create(rows)));
    NDArray logp = model.logits(picked).logSoftmax(1);
    long[] index = new long[count];
    for (int i = 0; i < count; i++) {
      index[i] = i;
    }
    NDArray chosen = logp.get(new NDIndex("{}, {}", m.create(index), m.create(targets)));
    return chosen.sum();
  }

  /** AdamW moments for each trainable array, updated by PyTorch's fused kernel. */
  static final class AdamW {
    final Map<String, NDArray> params;
    final Map<String, NDArray> mean = new LinkedHashMap<>();
    final Map<String, NDArray> variance = new LinkedHashMap<>();
    long updates;

    AdamW(Map<String, NDArray> params, NDManager manager) {
      this.params = params;
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray z1 = e.getValue().zerosLike();
        NDArray z2 = e.getValue().zerosLike();
        NDScope.unregister(z1, z2);
        mean.put(e.getKey(), z1);
        variance.put(e.getKey(), z2);
      }
    }

    void step(float lr, float weightDecay, double maxNorm, float b1, float b2, float eps) {
      updates++;
      try (NDScope scope = new NDScope()) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        NDList squares = new NDList();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          NDArray g = e.getValue().getGradient();
          grads.put(e.getKey(), g);
          squares.add(g.square().sum());
        }
        // one device-to-host transfer for the global norm
        double norm = Math.sqrt(ai.djl.ndarray.NDArrays.stack(squares).sum().getFloat());
        float rescale = norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1f;
        double bc1 = 1 - Math.pow(b1, updates);
        double bc2 = 1 - Math.pow(b2, updates);
        float lrCorrected = (float) (lr * Math.sqrt(bc2) / bc1);
        // PyTorch adds eps to sqrt(v) / sqrt(bc2); DJL's kernel adds it to sqrt(v)
        float epsCorrected = (float) (eps * Math.sqrt(bc2));
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
          NDArray w = e.getValue();
          float decay = w.getShape().dimension() >= 2 ? weightDecay : 0f;
          w.getNDArrayInternal().adamUpdate(
              new NDList(w, grads.get(e.getKey()), mean.get(e.getKey()), variance.get(e.getKey())),
              new NDList(w), lr, lrCorrected, decay, rescale, -1f, b1, b2, epsCorrected, false,
              true);
        }
      }
    }
  }
}
