package selflengthen.workers.demo;

import java.nio.file.Path;
import selflengthen.v1.Extension;
import selflengthen.v1.InitialResponses;
import selflengthen.v1.Language;
import selflengthen.v1.LengthControl;
import selflengthen.v1.Measurement;
import selflengthen.v1.Models;
import selflengthen.v1.Parallelism;
import selflengthen.v1.RunSpec;
import selflengthen.v1.Sampling;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.Training;
import selflengthen.v1.TrainMethod;

/**
 * The demo's run spec: the full method (every stage, the reference's filters and micro-iterations)
 * at laptop scale. What differs from the reference defaults is size (instructions per round, tries,
 * tokens), no top-p cut (see the sampling below), the short demo prompts, a learning rate suited to
 * a tiny model, and a length-control
 * window scaled to the tiny model's texts. Everything else is left to the spec defaults.
 */
public final class DemoSpec {
  /** Sizes of one demo run. */
  public record Scale(int rounds, int instructionsPerRound, int shardSize, int parallelism,
      int maxTries, int maxNewTokens, int measureMaxNewTokens, float epochs, int heldOut) {
    /**
     * The demo command's default. Two LoRA epochs: with three, the round-2 Generator overshot
     * (measured: 123 -> 364 -> 1236 words, 7 of 16 answers cut at the 2,048-token budget).
     */
    public static Scale demo() {
      return new Scale(2, 16, 4, 4, 4, 1024, 2048, 2f, 16);
    }

    /** The test suite's smaller configuration. */
    public static Scale small() {
      return new Scale(2, 12, 4, 4, 3, 1024, 2048, 3f, 12);
    }
  }

  private DemoSpec() {}

  public static RunSpec build(String runId, Path dataRoot, Path model, Path seedFile,
      Path heldOutFile, Scale scale, long seed) {
    return RunSpec.newBuilder()
        .setRunId(runId)
        .setDataRoot(dataRoot.toAbsolutePath().toString())
        .setLanguage(Language.LANGUAGE_EN)
        .setSeed(seed)
        .setRounds(scale.rounds())
        .setModels(Models.newBuilder()
            .setBaseModel(model.toAbsolutePath().toString())
            .setMaxBatchSize(16))
        // The reference's temperature, top-k and repetition penalty, but no top-p cut: a tiny model
        // spreads its end-of-turn probability over many paragraph ends (rarely above 20% at any
        // one), and top-p 0.8 then removes the end token every time, so answers ran to the token
        // budget (measured: 10 of 16 held-out answers with top-p 0.8, none with top-p 1).
        .setSampling(Sampling.newBuilder()
            .setTemperature(0.7f).setTopP(1f).setTopK(20).setRepetitionPenalty(1.1f)
            .setMaxNewTokens(scale.maxNewTokens()))
        .setSelfInstruct(SelfInstruct.newBuilder()
            .setSeedFile(seedFile.toAbsolutePath().toString())
            .setInstructionsPerRound(scale.instructionsPerRound())
            .setSampling(Sampling.newBuilder().setMaxNewTokens(48)))
        .setInitialResponses(InitialResponses.newBuilder().setMaxTries(scale.maxTries()))
        .setExtension(Extension.newBuilder().setMaxTries(scale.maxTries()))
        .setTraining(Training.newBuilder()
            .setMethod(TrainMethod.TRAIN_METHOD_LORA)
            .setLoraRank(16).setLoraAlpha(32f)
            .setLearningRate(2e-3f).setEpochs(scale.epochs())
            .setBatchSize(4).setCutoffLen(1536).setCheckpointEvery(50)
            // One process on 2 cores: two trainings at once would oversubscribe PyTorch's threads.
            .setConcurrent(false))
        .setParallelism(Parallelism.newBuilder()
            .setShardSize(scale.shardSize()).setMaxConcurrentShards(scale.parallelism()))
        .setMeasurement(Measurement.newBuilder()
            .setHeldOutFile(heldOutFile.toAbsolutePath().toString())
            .setHeldOutCount(scale.heldOut())
            // A budget well above the lengths measured, so an answer's length is the model's choice.
            .setSampling(Sampling.newBuilder().setMaxNewTokens(scale.measureMaxNewTokens())))
        .setLengthControl(LengthControl.newBuilder()
            .setMinWords(100).setMaxWords(1000).setRoundTo(100))
        .putAllPromptOverrides(DemoPrompts.OVERRIDES)
        .build();
  }
}
