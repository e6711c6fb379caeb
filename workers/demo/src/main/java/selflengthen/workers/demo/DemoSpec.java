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

  /**
   * Every field the demo sets away from the reference default, with the reason: the demo's report
   * and its printed summary list them, so no one mistakes the demo's numbers for the method's.
   */
  public static java.util.List<String> overrides(Scale scale) {
    return java.util.List.of(
        "rounds " + scale.rounds() + " (reference 3): minutes on a laptop CPU",
        "self_instruct.instructions_per_round " + scale.instructionsPerRound()
            + " (reference 5000), collect.total_count " + scale.instructionsPerRound()
            + " (reference 5000): laptop scale",
        "self_instruct.sampling.max_new_tokens 48 (reference 16384): demo tasks are one short line",
        "initial_responses.max_tries and extension.max_tries " + scale.maxTries()
            + " (reference 20): laptop scale",
        "extension.lenient_paragraphs true (reference false): the demo model was taught on these"
            + " cuts, and its one-paragraph drafts would give the reference's cut an empty first half",
        "sampling.max_new_tokens " + scale.maxNewTokens() + " (reference 16384): the tiny model's"
            + " 4,096-position context",
        "sampling.top_p 1 (reference 0.8): a tiny model spreads its end-of-turn probability over"
            + " many paragraph ends, and top-p 0.8 removes the end token every time",
        "training: LoRA rank 16, alpha 32, lr 2e-3, " + scale.epochs() + " epochs, batch 4, cutoff 1536,"
            + " sequential (reference rank 8, alpha 16, lr 1e-4, 4 epochs, batch 1, cutoff 16384,"
            + " concurrent): a 0.7M-parameter model on 2 CPU cores",
        "parallelism.shard_size " + scale.shardSize() + ", max_concurrent_shards " + scale.parallelism()
            + " (defaults 32, 8): a dozen samples per stage",
        "measurement.tasks_file: the demo world's held-out tasks, " + scale.heldOut() + " of them",
        "length_control min/max words 100/1000, round_to 100 (reference 2000/8000/1000): the tiny"
            + " model's texts are hundreds of words",
        "length_control.rewrite_tries 1 (default 3): the tiny model never learnt to rewrite a request,"
            + " so most rows fall back to the appended limit; the report counts both",
        "prompt_overrides: short demo prompts (the tiny model's context stays small; the demo keeps"
            + " the examples in the user turn, the prefix \"Task 3:\")");
  }

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
        .setExtension(Extension.newBuilder().setMaxTries(scale.maxTries()).setLenientParagraphs(true))
        .setTraining(Training.newBuilder()
            .setMethod(TrainMethod.TRAIN_METHOD_LORA)
            .setLoraRank(16).setLoraAlpha(32f)
            .setLearningRate(2e-3f).setEpochs(scale.epochs())
            .setBatchSize(4).setCutoffLen(1536).setCheckpointEvery(50)
            // One process on 2 cores: two trainings at once would oversubscribe PyTorch's threads.
            .setConcurrent(false))
        .setParallelism(Parallelism.newBuilder()
            .setShardSize(scale.shardSize()).setMaxConcurrentShards(scale.parallelism()))
        .setCollect(selflengthen.v1.Collect.newBuilder().setTotalCount(scale.instructionsPerRound()))
        .setMeasurement(Measurement.newBuilder()
            .setTasksFile(heldOutFile.toAbsolutePath().toString())
            .setHeldOutCount(scale.heldOut())
            // A budget well above the lengths measured, so an answer's length is the model's choice.
            .setSampling(Sampling.newBuilder().setMaxNewTokens(scale.measureMaxNewTokens())))
        .setLengthControl(LengthControl.newBuilder()
            .setMinWords(100).setMaxWords(1000).setRoundTo(100)
            // The tiny model never learnt to rewrite a request: one try, then the appended limit.
            .setRewriteTries(1))
        .putAllPromptOverrides(DemoPrompts.OVERRIDES)
        .build();
  }
}
