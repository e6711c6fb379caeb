package selflengthen.spec;

import java.util.List;
import selflengthen.method.LanguageProfile;
import selflengthen.v1.DropShort;
import selflengthen.v1.Dpo;
import selflengthen.v1.DpoWhen;
import selflengthen.v1.GenerationMode;
import selflengthen.v1.GenerationSettings;
import selflengthen.v1.PairOptions;
import selflengthen.v1.Preference;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.RejectedSource;
import selflengthen.v1.Evaluation;
import selflengthen.v1.Extension;
import selflengthen.v1.InitialResponses;
import selflengthen.v1.Language;
import selflengthen.v1.LengthControl;
import selflengthen.v1.Measurement;
import selflengthen.v1.ModelRef;
import selflengthen.v1.Models;
import selflengthen.v1.Parallelism;
import selflengthen.v1.ResponseCheck;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.TrainMethod;
import selflengthen.v1.Training;
import selflengthen.v1.TrainingSets;

/**
 * The reference defaults of spec.proto, in one place. {@link #resolve} fills every field the spec
 * leaves unset and keeps every field it sets, even to an invalid value (the validator names those).
 * Resolving twice gives the same spec. Pure and deterministic: safe in workflow code.
 */
public final class SpecDefaults {
  /** The data root of a worker started without --data-root or SELFLENGTHEN_DATA_ROOT. */
  public static final String DATA_ROOT = "./selflengthen-data";
  public static final long SEED = 42;
  public static final int ROUNDS = 3;
  public static final String DEVICE = "cpu";

  /**
   * The reference's stop strings for every chat call (its llm_client.py), besides the chat end
   * tokens, which every engine here stops at anyway. "---" anywhere ends the answer, so a Markdown
   * rule or table separator does too, as in the reference.
   */
  public static final List<String> STOPS = List.of("\n\n---", "\n\n\n", "\n---", "---");

  /** The reference scripts' sampling: temperature 0.7, top-p 0.8, top-k 20, penalty 1.1. */
  public static final Sampling SAMPLING =
      Sampling.newBuilder()
          .setTemperature(0.7f)
          .setTopP(0.8f)
          .setTopK(20)
          .setRepetitionPenalty(1.1f)
          .setMaxNewTokens(16384)
          .addAllStop(STOPS)
          .build();

  /** LongWriter's LongBench-Write generation: temperature 0.5, up to 32768 new tokens. */
  public static final float LONGBENCH_WRITE_TEMPERATURE = 0.5f;
  public static final int LONGBENCH_WRITE_MAX_NEW_TOKENS = 32768;

  /** Requested instructions per self-instruct batch (the reference's step0 loop). */
  public static final int SELF_INSTRUCT_BATCH = 500;
  /** Instructions the collection pass requests (run_collect_data.sh's total_count). */
  public static final int COLLECT_TOTAL = 5000;

  /** English closing marks of llama/utils.py (see {@link LanguageProfile#EN}). */
  public static final String CLOSING_PUNCTUATION_EN = LanguageProfile.EN.closingPunctuation();
  /** Chinese closing marks of qwen/utils.py (see {@link LanguageProfile#ZH}). */
  public static final String CLOSING_PUNCTUATION_ZH = LanguageProfile.ZH.closingPunctuation();

  /** English meta words of llama/utils.py; the Chinese check has none. */
  public static final List<String> META_WORDS = LanguageProfile.EN.defaultCheckSettings().metaWords();

  /** "all" linear layers of a Qwen2 / Llama decoder. */
  public static final List<String> LORA_TARGETS =
      List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

  private SpecDefaults() {}

  public static RunSpec resolve(RunSpec spec) {
    RunSpec.Builder b = spec.toBuilder();
    // An unset data_root stays unset: the run uses the worker's configured data root (DataRoots).
    if (b.getLanguage() == Language.LANGUAGE_UNSPECIFIED) {
      b.setLanguage(Language.LANGUAGE_EN);
    }
    if (!b.hasSeed()) {
      b.setSeed(SEED);
    }
    if (!b.hasRounds()) {
      b.setRounds(ROUNDS);
    }
    Sampling sampling = sampling(b.getSampling(), SAMPLING);
    b.setSampling(sampling);
    b.setModels(models(b.getModels()));
    b.setSelfInstruct(selfInstruct(b.getSelfInstruct(), sampling));
    b.setInitialResponses(initialResponses(b.getInitialResponses()));
    b.setExtension(extension(b.getExtension()));
    b.setDropShort(dropShort(b.getDropShort()));
    b.setResponseCheck(responseCheck(b.getResponseCheck(), b.getLanguage()));
    b.setTrainingSets(trainingSets(b.getTrainingSets()));
    b.setTraining(training(b.getTraining()));
    b.setParallelism(parallelism(b.getParallelism()));
    b.setMeasurement(measurement(b.getMeasurement(), sampling));
    b.setLengthControl(lengthControl(b.getLengthControl()));
    b.setCollect(collect(b.getCollect()));
    b.setGeneration(generation(b.getGeneration()));
    b.setPreference(preference(b.getPreference()));
    if (!b.getEvaluation().getDataset().isEmpty()) {
      // Only with a benchmark file, so the resolved spec of a run without one stays as it was.
      b.setEvaluation(evaluation(b.getEvaluation(), b.getMeasurement().getSampling()));
    }
    return b.build();
  }

  /** Fills the unset fields of {@code s} from {@code fallback} (itself complete). */
  static Sampling sampling(Sampling s, Sampling fallback) {
    Sampling.Builder b = s.toBuilder();
    if (!b.hasTemperature()) {
      b.setTemperature(fallback.getTemperature());
    }
    if (!b.hasTopP()) {
      b.setTopP(fallback.getTopP());
    }
    if (!b.hasTopK()) {
      b.setTopK(fallback.getTopK());
    }
    if (!b.hasRepetitionPenalty()) {
      b.setRepetitionPenalty(fallback.getRepetitionPenalty());
    }
    if (!b.hasMaxNewTokens()) {
      b.setMaxNewTokens(fallback.getMaxNewTokens());
    }
    if (b.getStopCount() == 0) {
      b.addAllStop(fallback.getStopList());
    }
    return b.build();
  }

  static Models models(Models m) {
    Models.Builder b = m.toBuilder();
    String base = b.getBaseModel();
    ModelRef generator = modelRef(b.getGenerator(), base);
    b.setGenerator(generator);
    b.setExtender(modelRef(b.getExtender(), base));
    b.setJudge(judge(b.getJudge(), generator));
    b.setLengthControl(judge(b.getLengthControl(), generator));
    if (!b.hasMaxBatchSize()) {
      b.setMaxBatchSize(16);
    }
    return b.build();
  }

  /** A role without a path or endpoint runs the base model in process. */
  static ModelRef modelRef(ModelRef m, String basePath) {
    ModelRef.Builder b = m.toBuilder();
    if (b.getPath().isEmpty() && b.getEndpoint().isEmpty()) {
      b.setPath(basePath);
    }
    if (b.getDevice().isEmpty()) {
      b.setDevice(DEVICE);
    }
    if (!b.hasMaxConcurrency()) {
      b.setMaxConcurrency(16);
    }
    if (!b.hasTimeoutSeconds()) {
      b.setTimeoutSeconds(600);
    }
    return b.build();
  }

  /** The judge defaults to the generator's base model: same checkpoint or endpoint, no adapter. */
  static ModelRef judge(ModelRef judge, ModelRef generator) {
    ModelRef.Builder b = judge.toBuilder();
    if (b.getPath().isEmpty() && b.getEndpoint().isEmpty()) {
      if (generator.getEndpoint().isEmpty()) {
        b.setPath(generator.getPath());
      } else {
        b.setEndpoint(generator.getEndpoint());
        if (b.getModelName().isEmpty()) {
          b.setModelName(generator.getModelName());
        }
        if (b.getApiKeyEnv().isEmpty() && b.getApiKeyFile().isEmpty()) {
          b.setApiKeyEnv(generator.getApiKeyEnv());
          b.setApiKeyFile(generator.getApiKeyFile());
        }
      }
      if (b.getDevice().isEmpty()) {
        b.setDevice(generator.getDevice());
      }
    }
    return modelRef(b.build(), generator.getPath());
  }

  static SelfInstruct selfInstruct(SelfInstruct s, Sampling runSampling) {
    SelfInstruct.Builder b = s.toBuilder();
    if (!b.hasInstructionsPerRound()) {
      b.setInstructionsPerRound(5000);
    }
    if (!b.hasFewShot()) {
      b.setFewShot(2);
    }
    if (!b.hasMaxTries()) {
      b.setMaxTries(10);
    }
    if (!b.hasMinWords()) {
      b.setMinWords(3);
    }
    if (!b.hasMaxWords()) {
      b.setMaxWords(500);
    }
    if (!b.hasNearDuplicateThreshold()) {
      // Off: the reference has no such filter (our addition; 0.7 was the earlier default).
      b.setNearDuplicateThreshold(1f);
    }
    if (!b.hasBatchSize()) {
      b.setBatchSize(SELF_INSTRUCT_BATCH);
    }
    if (!b.hasPoolAcrossRounds()) {
      b.setPoolAcrossRounds(false);
    }
    if (!b.hasGeneratorWrites()) {
      b.setGeneratorWrites(false);
    }
    if (!b.hasLenientJudge()) {
      b.setLenientJudge(false);
    }
    if (!b.hasLenientParse()) {
      b.setLenientParse(false);
    }
    if (!b.hasSeedsOnly()) {
      b.setSeedsOnly(false);
    }
    if (!b.hasJudge()) {
      b.setJudge(true);
    }
    if (!b.hasJudgeLongWords()) {
      b.setJudgeLongWords(2000);
    }
    b.setSampling(sampling(b.getSampling(), runSampling));
    return b.build();
  }

  static InitialResponses initialResponses(InitialResponses r) {
    InitialResponses.Builder b = r.toBuilder();
    if (!b.hasPerInstruction()) {
      b.setPerInstruction(2);
    }
    if (!b.hasMaxTries()) {
      b.setMaxTries(20);
    }
    return b.build();
  }

  static Extension extension(Extension e) {
    Extension.Builder b = e.toBuilder();
    if (!b.hasAttempts()) {
      b.setAttempts(2);
    }
    if (!b.hasMaxTries()) {
      b.setMaxTries(20);
    }
    if (!b.hasMicroIterations()) {
      b.setMicroIterations(3);
    }
    if (!b.hasPrefixFraction()) {
      b.setPrefixFraction(2f / 3f);
    }
    if (!b.hasMinGrowth()) {
      b.setMinGrowth(1.2f);
    }
    if (!b.hasLenientParagraphs()) {
      // step2's own paragraph cuts (empty parts count, no at-least-one-part floor).
      b.setLenientParagraphs(false);
    }
    return b.build();
  }

  static DropShort dropShort(DropShort d) {
    DropShort.Builder b = d.toBuilder();
    if (!b.hasEnabled()) {
      b.setEnabled(true);
    }
    if (!b.hasFactor()) {
      b.setFactor(2f);
    }
    if (!b.hasExponent()) {
      b.setExponent(3f);
    }
    if (!b.hasRankByWords()) {
      b.setRankByWords(false);
    }
    return b.build();
  }

  static ResponseCheck responseCheck(ResponseCheck r, Language language) {
    ResponseCheck.Builder b = r.toBuilder();
    if (b.getClosingPunctuation().isEmpty()) {
      b.setClosingPunctuation(
          language == Language.LANGUAGE_ZH ? CLOSING_PUNCTUATION_ZH : CLOSING_PUNCTUATION_EN);
    }
    if (!b.hasNgramWordsEn()) {
      b.setNgramWordsEn(10);
    }
    if (!b.hasNgramUnitsZh()) {
      b.setNgramUnitsZh(13);
    }
    if (!b.hasMetaHeadLines()) {
      b.setMetaHeadLines(2);
    }
    if (!b.hasMetaTailLines()) {
      b.setMetaTailLines(3);
    }
    if (b.getMetaWordsCount() == 0 && language != Language.LANGUAGE_ZH) {
      b.addAllMetaWords(META_WORDS);
    }
    if (!b.hasMetaWordsIgnoreCase()) {
      b.setMetaWordsIgnoreCase(false);
    }
    return b.build();
  }

  static TrainingSets trainingSets(TrainingSets t) {
    TrainingSets.Builder b = t.toBuilder();
    if (!b.hasExtenderLineDrop()) {
      b.setExtenderLineDrop(0.2f);
    }
    return b.build();
  }

  static Training training(Training t) {
    Training.Builder b = t.toBuilder();
    if (b.getMethod() == TrainMethod.TRAIN_METHOD_UNSPECIFIED) {
      b.setMethod(TrainMethod.TRAIN_METHOD_LORA);
    }
    if (!b.hasLoraRank()) {
      b.setLoraRank(8);
    }
    // The reference pairs alpha with the rank (16 for rank 8).
    if (!b.hasLoraAlpha()) {
      b.setLoraAlpha(2f * b.getLoraRank());
    }
    if (!b.hasLoraDropout()) {
      b.setLoraDropout(0f);
    }
    if (b.getLoraTargetsCount() == 0) {
      b.addAllLoraTargets(LORA_TARGETS);
    }
    if (!b.hasLearningRate()) {
      b.setLearningRate(1e-4f);
    }
    if (!b.hasEpochs()) {
      b.setEpochs(4f);
    }
    if (b.getLrScheduler().isEmpty()) {
      b.setLrScheduler("cosine");
    }
    if (!b.hasWarmupRatio()) {
      b.setWarmupRatio(0.1f);
    }
    if (!b.hasCutoffLen()) {
      b.setCutoffLen(16384);
    }
    if (!b.hasBatchSize()) {
      b.setBatchSize(1);
    }
    if (!b.hasGradientAccumulation()) {
      b.setGradientAccumulation(1);
    }
    if (!b.hasWeightDecay()) {
      b.setWeightDecay(0f);
    }
    if (!b.hasCheckpointEvery()) {
      b.setCheckpointEvery(50);
    }
    if (!b.hasConcurrent()) {
      b.setConcurrent(true);
    }
    if (b.getPreference() == PreferenceMethod.PREFERENCE_METHOD_UNSPECIFIED) {
      b.setPreference(PreferenceMethod.PREFERENCE_METHOD_NONE);
    }
    b.setDpo(dpo(b.getDpo()));
    return b.build();
  }

  /** DPO's beta of Rafailov et al. and LongWriter; LLaMA-Factory's DPO examples' lr and epochs. */
  public static final float DPO_BETA = 0.1f;
  public static final float DPO_EPOCHS = 1f;
  public static final float DPO_LEARNING_RATE = 5e-6f;

  static Dpo dpo(Dpo d) {
    Dpo.Builder b = d.toBuilder();
    if (!b.hasBeta()) {
      b.setBeta(DPO_BETA);
    }
    if (b.getWhen() == DpoWhen.DPO_WHEN_UNSPECIFIED) {
      b.setWhen(DpoWhen.DPO_WHEN_EACH_ROUND);
    }
    if (!b.hasEpochs()) {
      b.setEpochs(DPO_EPOCHS);
    }
    if (!b.hasLearningRate()) {
      b.setLearningRate(DPO_LEARNING_RATE);
    }
    return b.build();
  }

  static GenerationSettings generation(GenerationSettings g) {
    GenerationSettings.Builder b = g.toBuilder();
    if (b.getMode() == GenerationMode.GENERATION_MODE_UNSPECIFIED) {
      b.setMode(GenerationMode.GENERATION_MODE_SELF_LENGTHEN);
    }
    return b.build();
  }

  static Preference preference(Preference p) {
    PairOptions.Builder b = p.getPairs().toBuilder();
    if (b.getRejected() == RejectedSource.REJECTED_SOURCE_UNSPECIFIED) {
      b.setRejected(RejectedSource.REJECTED_SOURCE_START);
    }
    if (!b.hasSuriPairs()) {
      b.setSuriPairs(false);
    }
    if (!b.hasMaxPerKind()) {
      b.setMaxPerKind(2);
    }
    if (!b.hasWrite()) {
      b.setWrite(false);
    }
    return p.toBuilder().setPairs(b).build();
  }

  static Parallelism parallelism(Parallelism p) {
    Parallelism.Builder b = p.toBuilder();
    if (!b.hasShardSize()) {
      b.setShardSize(32);
    }
    if (!b.hasMaxConcurrentShards()) {
      b.setMaxConcurrentShards(8);
    }
    if (!b.hasStragglerFraction()) {
      b.setStragglerFraction(0.95f);
    }
    if (!b.hasInferenceHeartbeatSeconds()) {
      b.setInferenceHeartbeatSeconds(60);
    }
    if (!b.hasQueuedShards()) {
      // Off: it pays only when the pool's slots equal max_concurrent_shards. With more free slots
      // the queued shards run at once and crowd the engines (the demo measured 10-30% slower).
      b.setQueuedShards(0);
    }
    return b.build();
  }

  static Measurement measurement(Measurement m, Sampling runSampling) {
    Measurement.Builder b = m.toBuilder();
    if (!b.hasHeldOutCount()) {
      b.setHeldOutCount(20);
    }
    if (b.getTasksFile().isEmpty() && !b.getHeldOutFile().isEmpty()) {
      b.setTasksFile(b.getHeldOutFile());
    }
    if (!b.hasHoldOutSeeds()) {
      b.setHoldOutSeeds(false);
    }
    b.setSampling(sampling(b.getSampling(), runSampling));
    return b.build();
  }

  static LengthControl lengthControl(LengthControl l) {
    LengthControl.Builder b = l.toBuilder();
    if (!b.hasEnabled()) {
      b.setEnabled(true);
    }
    if (!b.hasMinWords()) {
      b.setMinWords(2000);
    }
    if (!b.hasMaxWords()) {
      b.setMaxWords(8000);
    }
    if (!b.hasShareAbout()) {
      b.setShareAbout(0.40f);
    }
    if (!b.hasShareRange()) {
      b.setShareRange(0.25f);
    }
    if (!b.hasShareAbove()) {
      b.setShareAbove(0.10f);
    }
    if (!b.hasShareBelow()) {
      b.setShareBelow(0.25f);
    }
    if (!b.hasRoundTo()) {
      b.setRoundTo(1000);
    }
    if (!b.hasShareFloor()) {
      b.setShareFloor(0.2f);
    }
    if (!b.hasWidenEqualRange()) {
      b.setWidenEqualRange(false);
    }
    if (!b.hasTrain()) {
      b.setTrain(true);
    }
    if (!b.hasRewrite()) {
      b.setRewrite(true);
    }
    if (!b.hasRewriteTries()) {
      b.setRewriteTries(3);
    }
    if (!b.hasShareChineseNumerals()) {
      b.setShareChineseNumerals(0.5f);
    }
    return b.build();
  }

  static selflengthen.v1.Collect collect(selflengthen.v1.Collect c) {
    selflengthen.v1.Collect.Builder b = c.toBuilder();
    if (!b.hasEnabled()) {
      b.setEnabled(true);
    }
    if (!b.hasTotalCount()) {
      b.setTotalCount(COLLECT_TOTAL);
    }
    return b.build();
  }

  /**
   * The answers sample like the measurement, except LongBench-Write's unset temperature and token
   * budget, which take LongWriter's generation settings; the judge is off unless asked for.
   */
  static Evaluation evaluation(Evaluation e, Sampling measurementSampling) {
    Evaluation.Builder b = e.toBuilder();
    if (b.getFormat().equals("longbench-write")) {
      Sampling.Builder s = b.getSampling().toBuilder();
      if (!s.hasTemperature()) {
        s.setTemperature(LONGBENCH_WRITE_TEMPERATURE);
      }
      if (!s.hasMaxNewTokens()) {
        s.setMaxNewTokens(LONGBENCH_WRITE_MAX_NEW_TOKENS);
      }
      b.setSampling(s);
    }
    if (!b.hasJudge()) {
      b.setJudge(false);
    }
    if (!b.hasJudgeAttempts()) {
      b.setJudgeAttempts(3);
    }
    if (!b.hasJudgeMaxNewTokens()) {
      b.setJudgeMaxNewTokens(1024);
    }
    b.setSampling(sampling(b.getSampling(), measurementSampling));
    return b.build();
  }
}
