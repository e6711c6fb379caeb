package selflengthen.model.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.engine.Djl;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.DpoReport;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingListener;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.lora.LoraConfig;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.LoraDelta;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * Direct preference optimisation in process: LoRA on top of the SFT adapter (the trained adapter
 * starts as a copy of it), the frozen SFT policy as the reference model, the sigmoid DPO loss with
 * sequence log-probabilities summed over response tokens, a PEFT adapter out in the format
 * {@link SftTrainer} writes.
 *
 * <p>The reference log-probabilities are computed once per pair, without gradients, before the
 * first step, and kept in the checkpoint directory so a resumed run does not recompute them.
 * Dropout is off for policy and reference (as LLaMA-Factory's and TRL's DPO trainers do by
 * default): the implicit rewards would otherwise be noisy. Optimiser, schedule, gradient
 * accumulation, clipping, checkpoints and resume are SFT's: a run interrupted and started again
 * with the same checkpoint directory retraces the uninterrupted run's loss curve.
 */
public final class DpoTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(DpoTrainer.class);
  private static final double MAX_GRAD_NORM = 1.0;

  private final String device;

  public DpoTrainer() {
    this("cpu");
  }

  public DpoTrainer(String device) {
    this.device = device;
  }

  public DpoReport train(DpoJob job, TrainingListener listener) {
    try {
      return run(job, listener == null ? TrainingListener.NONE : listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Summed response log-probabilities of each pair's chosen and rejected answer under {@code
   * baseModel} plus {@code adapter} (null: the base alone), as [pairs][2]; the figures a DPO run
   * moves apart. For measurement and tests.
   */
  public static double[][] logProbs(Path baseModel, Path adapter, List<PreferenceExample> pairs,
      int cutoffLen) throws IOException {
    Djl.engine();
    Checkpoint base = Checkpoint.read(baseModel);
    boolean wasGrad = JniUtils.isGradMode();
    try (TextTokenizer tokenizer = base.loadTokenizer();
        DecoderModel model = DecoderModel.load(base.config(), baseModel, Device.cpu())) {
      Djl.setGradMode(false);
      List<PreferenceDataset.Pair> data = PreferenceDataset.build(pairs, base.chatTemplate(),
          tokenizer, SftDataset.endOfTurnToken(base.chatTemplate(), tokenizer,
              base.eosTokenIds(tokenizer)), cutoffLen);
      double[][] ref = ReferenceLogProbs.compute(model, adapter, data, 4);
      double[][] out = new double[data.size()][];
      for (int i = 0; i < data.size(); i++) {
        out[i] = new double[] {ref[0][i], ref[1][i]};
      }
      return out;
    } finally {
      Djl.setGradMode(wasGrad);
    }
  }

  private DpoReport run(DpoJob job, TrainingListener listener) throws IOException {
    TrainingConfig cfg = job.config();
    validate(job);
    Djl.engine();
    Device dev = Djl.device(device);
    Checkpoint base = Checkpoint.read(job.baseModel());
    boolean wasGrad = JniUtils.isGradMode();
    try (TextTokenizer tokenizer = base.loadTokenizer();
        DecoderModel model = DecoderModel.load(base.config(), job.baseModel(), dev)) {
      int endToken = SftDataset.endOfTurnToken(base.chatTemplate(), tokenizer,
          base.eosTokenIds(tokenizer));
      List<PreferenceDataset.Pair> data = PreferenceDataset.build(job.pairs(),
          base.chatTemplate(), tokenizer, endToken, cfg.cutoffLen());
      if (data.isEmpty()) {
        throw new IllegalArgumentException("no preference pair has a response token left after"
            + " cut-off");
      }
      int batch = Math.max(1, cfg.batchSize());
      int accumulation = Math.max(1, cfg.gradientAccumulation());
      long perStep = (long) batch * accumulation;
      long stepsPerEpoch = (data.size() + perStep - 1) / perStep;
      long totalSteps = Math.max(1, (long) Math.ceil(stepsPerEpoch * (double) cfg.epochs()));
      LrSchedule schedule = LrSchedule.of(cfg.lrScheduler(), cfg.learningRate(), totalSteps,
          cfg.warmupRatio());
      String fingerprint = fingerprint(job, data.size());

      Djl.setGradMode(false);
      double[][] ref = ReferenceLogProbs.cached(job.checkpointDir(), fingerprint, model,
          job.sftAdapter(), data, batch);
      LoraWeights lora = job.sftAdapter() != null
          ? LoraWeights.load(job.sftAdapter(), base.config(), model.manager(), dev)
          : LoraWeights.init(base.config(), new LoraConfig(cfg.loraRank(), cfg.loraAlpha(), 0f,
              cfg.loraTargets(), false), cfg.seed(), model.manager());
      Map<String, NDArray> params = lora.parameters();
      SftTrainer.AdamW optimizer = new SftTrainer.AdamW(params, model.manager());
      TrainingState state = TrainingState.load(job.checkpointDir(), fingerprint);
      boolean resumed = state != null;
      if (resumed) {
        TrainingCheckpoints.restore(job.checkpointDir(), state, params, optimizer);
        LOG.info("resuming DPO at step {} of {} from {}", state.step(), totalSteps,
            job.checkpointDir());
      } else {
        state = TrainingState.start(fingerprint, totalSteps);
      }
      params.values().forEach(p -> p.setRequiresGradient(true));
      Djl.setGradMode(true);
      LoraDelta delta = lora.trainingDelta(0f, false);
      double firstMargin = Double.NaN;
      double lastMargin = Double.NaN;
      double lastAccuracy = Double.NaN;
      long tokensSeen = 0;
      long nanos = 0;
      for (long step = state.step(); step < totalSteps; step++) {
        long t0 = System.nanoTime();
        List<List<Integer>> micro = microBatches(data.size(), step, stepsPerEpoch, batch,
            accumulation, cfg.seed());
        double loss = 0;
        double marginSum = 0;
        int positive = 0;
        int pairs = 0;
        long tokens = 0;
        for (List<Integer> mb : micro) {
          try (NDScope scope = new NDScope()) {
            NDArray margins = margins(model, delta, data, ref, mb, job.beta());
            NDArray l = DpoLoss.sigmoidLoss(margins).mean().div(micro.size());
            JniUtils.backward((PtNDArray) l, (PtNDArray) l.onesLike(), false, false);
            loss += l.getFloat();
            for (float mg : margins.toFloatArray()) {
              marginSum += mg;
              positive += mg > 0 ? 1 : 0;
              pairs++;
            }
          }
          for (int i : mb) {
            tokens += data.get(i).chosen().ids().length + data.get(i).rejected().ids().length;
          }
        }
        double lr = schedule.at(step);
        optimizer.step((float) lr, cfg.weightDecay(), MAX_GRAD_NORM, 0.9f, 0.999f, 1e-8f);
        long dt = System.nanoTime() - t0;
        tokensSeen += tokens;
        nanos += dt;
        lastMargin = marginSum / pairs;
        lastAccuracy = (double) positive / pairs;
        if (Double.isNaN(firstMargin)) {
          firstMargin = lastMargin;
        }
        state = state.after(step + 1, loss);
        LOG.debug("DPO step {}: loss {}, margin {}, accuracy {}", step + 1, loss, lastMargin,
            lastAccuracy);
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
      String baseName = job.baseModel().toAbsolutePath().toString();
      lora.save(job.outputDir(), baseName);
      TrainingCheckpoints.save(job.checkpointDir(), state, params, optimizer, lora,
          job.baseModel().toString());
      lora.close();
      double tps = nanos == 0 ? 0 : tokensSeen / (nanos / 1e9);
      LOG.info("DPO trained {} steps ({} pairs, beta {}): loss {} -> {}, margin {} -> {}",
          state.step(), data.size(), job.beta(), String.format("%.4f", state.firstLoss()),
          String.format("%.4f", state.lastLoss()), String.format("%.4f", firstMargin),
          String.format("%.4f", lastMargin));
      return new DpoReport(new TrainingReport(job.outputDir(), state.step(), state.firstLoss(),
          state.lastLoss(), tps, data.size(), resumed), firstMargin, lastMargin, lastAccuracy);
    } finally {
      Djl.setGradMode(wasGrad);
    }
  }

  /** The margins [b] of the pairs {@code idx}: chosen rows first, then rejected, in one pass. */
  static NDArray margins(DecoderModel model, LoraDelta delta, List<PreferenceDataset.Pair> data,
      double[][] ref, List<Integer> idx, double beta) {
    List<SftDataset.Sample> seqs = new ArrayList<>(idx.size() * 2);
    double[] refC = new double[idx.size()];
    double[] refR = new double[idx.size()];
    for (int j = 0; j < idx.size(); j++) {
      seqs.add(data.get(idx.get(j)).chosen());
      refC[j] = ref[0][idx.get(j)];
      refR[j] = ref[1][idx.get(j)];
    }
    for (int i : idx) {
      seqs.add(data.get(i).rejected());
    }
    NDArray logps = DpoLoss.sequenceLogProbs(model, delta, seqs);
    int b = idx.size();
    return DpoLoss.margins(logps.get(new NDIndex("0:{}", b)), logps.get(new NDIndex("{}:", b)),
        refC, refR, beta);
  }

  /** The pair indices of one optimizer step's micro-batches, as SFT slices its permutation. */
  static List<List<Integer>> microBatches(int size, long step, long stepsPerEpoch, int batch,
      int accumulation, long seed) {
    int[] order = SftTrainer.permutation(size, seed, step / stepsPerEpoch);
    int start = (int) ((step % stepsPerEpoch) * batch * accumulation);
    int end = Math.min(size, start + batch * accumulation);
    List<List<Integer>> out = new ArrayList<>();
    for (int i = start; i < end; i += batch) {
      List<Integer> mb = new ArrayList<>();
      for (int j = i; j < Math.min(end, i + batch); j++) {
        mb.add(order[j]);
      }
      out.add(mb);
    }
    return out;
  }

  private static void validate(DpoJob job) {
    TrainingConfig c = job.config();
    if (job.pairs() == null || job.pairs().isEmpty()) {
      throw new IllegalArgumentException("DPO job has no preference pairs");
    }
    if (job.outputDir() == null || job.checkpointDir() == null) {
      throw new IllegalArgumentException("DPO job needs outputDir and checkpointDir");
    }
    if (c.fullFineTune()) {
      throw new IllegalArgumentException("DPO trains a LoRA adapter; full fine-tuning is not"
          + " supported");
    }
    if (c.learningRate() < 0 || c.epochs() <= 0) {
      throw new IllegalArgumentException("learning rate must be >= 0 and epochs > 0");
    }
    if (!(job.beta() > 0)) {
      throw new IllegalArgumentException("DPO beta must be positive, got " + job.beta());
    }
    if (job.sftAdapter() == null && c.loraRank() <= 0) {
      throw new IllegalArgumentException("without an SFT adapter the LoRA rank must be positive");
    }
  }

  static String fingerprint(DpoJob job, int pairs) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      TrainingConfig c = job.config();
      update(md, "dpo");
      update(md, job.baseModel().toAbsolutePath().normalize().toString());
      update(md, job.sftAdapter() == null ? "-"
          : job.sftAdapter().toAbsolutePath().normalize().toString());
      update(md, c.loraRank() + "|" + c.loraAlpha() + "|" + c.loraTargets() + "|"
          + c.learningRate() + "|" + c.epochs() + "|" + c.lrScheduler() + "|" + c.warmupRatio()
          + "|" + c.cutoffLen() + "|" + c.batchSize() + "|" + c.gradientAccumulation() + "|"
          + c.weightDecay() + "|" + c.seed() + "|" + job.beta() + "|" + pairs);
      for (PreferenceExample e : job.pairs()) {
        update(md, e.instruction());
        update(md, e.input());
        update(md, e.chosen());
        update(md, e.rejected());
        update(md, e.rejectedInstruction());
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void update(MessageDigest md, String s) {
    md.update((s == null ? "\u0000" : s).getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0x1e);
  }
}
