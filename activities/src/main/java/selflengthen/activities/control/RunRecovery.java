package selflengthen.activities.control;

import java.util.Optional;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.store.DataStore;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.EvalScores;
import selflengthen.v1.MergedStage;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainingResult;

/**
 * A run's state rebuilt from what the store records complete, so a resumed run skips finished
 * work: the seed model's held-out figure (round 0's measurement) and every round whose stages are
 * all recorded, in order, with the round result the round workflow would have returned. The first
 * round with a missing stage is the next round; its finished stages are skipped stage by stage
 * (planStage and the other activities return their recorded results).
 */
final class RunRecovery {
  private RunRecovery() {}

  static RunState recover(DataStore store, RunSpec spec) {
    String run = spec.getRunId();
    RunState.Builder state = RunState.newBuilder().setNextRound(1);
    RecordedResults.completed(store, RunPaths.stageOutput(run, 0, Stages.MEASURE), MergedStage.getDefaultInstance())
        .ifPresent(m -> state.setSeedHeldOutLengths(m.getStage().getLengths()));
    boolean evaluates = !spec.getEvaluation().getDataset().isBlank();
    for (int k = 1; k <= spec.getRounds(); k++) {
      Optional<RoundResult> r = round(store, run, k, evaluates);
      if (r.isEmpty()) {
        break;
      }
      RoundResult round = r.get();
      state
          .addRounds(round)
          .setNextRound(k + 1)
          .setGeneratorAdapter(round.getGeneratorTraining().getAdapter())
          .setExtenderAdapter(round.getExtenderTraining().getAdapter())
          .setInstructionPool(round.getInstructionPool());
    }
    return state.build();
  }

  /**
   * Round k's result when every one of its stages is recorded complete; with {@code evaluates}, its
   * benchmark answers and scores too.
   */
  static Optional<RoundResult> round(DataStore store, String run, int k, boolean evaluates) {
    Optional<RoundResult> method = round(store, run, k);
    if (method.isEmpty() || !evaluates) {
      return method;
    }
    Optional<MergedStage> eval = merged(store, run, k, Stages.EVAL);
    Optional<EvalScores> scores =
        RecordedResults.completed(store, RunPaths.evalReportJson(run, k), EvalScores.getDefaultInstance());
    if (eval.isEmpty() || scores.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        method.get().toBuilder()
            .addStages(named(eval.get().getStage(), Stages.EVAL))
            .setEvaluation(scores.get())
            .build());
  }

  /** Round k's result when every one of its method's stages is recorded complete. */
  static Optional<RoundResult> round(DataStore store, String run, int k) {
    Optional<MergedStage> si = merged(store, run, k, Stages.SELF_INSTRUCT);
    Optional<MergedStage> respond = merged(store, run, k, Stages.RESPOND);
    Optional<StageResult> dropShort = single(store, RunPaths.stageOutput(run, k, Stages.DROP_SHORT));
    Optional<MergedStage> extend = merged(store, run, k, Stages.EXTEND);
    Optional<StageResult> dropShortExtended =
        single(store, RunPaths.stageOutput(run, k, Stages.DROP_SHORT_EXTENDED));
    Optional<BuiltTrainingSets> sets =
        RecordedResults.completed(
            store, RunPaths.trainingSet(run, k, Roles.GENERATOR), BuiltTrainingSets.getDefaultInstance());
    Optional<TrainingResult> gen = training(store, run, k, Roles.GENERATOR);
    Optional<TrainingResult> ext = training(store, run, k, Roles.EXTENDER);
    Optional<TrainingResult> dpo = dpo(store, run, k);
    Optional<MergedStage> measure = merged(store, run, k, Stages.MEASURE);
    if (si.isEmpty() || respond.isEmpty() || dropShort.isEmpty() || extend.isEmpty()
        || dropShortExtended.isEmpty() || sets.isEmpty() || gen.isEmpty() || ext.isEmpty()
        || measure.isEmpty()) {
      return Optional.empty();
    }
    MergedStage x = extend.get();
    RoundResult.Builder result =
        RoundResult.newBuilder()
            .setRound(k)
            .addStages(named(si.get().getStage(), Stages.SELF_INSTRUCT))
            .addStages(named(respond.get().getStage(), Stages.RESPOND))
            .addStages(named(dropShort.get(), Stages.DROP_SHORT))
            .addStages(named(x.getStage(), Stages.EXTEND))
            .addStages(named(dropShortExtended.get(), Stages.DROP_SHORT_EXTENDED))
            .addStages(setsStage(dropShortExtended.get().getOutput(), sets.get()))
            .addStages(trainStage(Stages.TRAIN_GENERATOR, gen.get()))
            .addStages(trainStage(Stages.TRAIN_EXTENDER, ext.get()));
    // As the round does after DPO: the DPO adapter is the round's Generator, the SFT figures stay.
    TrainingResult generator = gen.get();
    if (dpo.isPresent()) {
      result.addStages(trainStage(Stages.TRAIN_DPO, dpo.get())).setDpoTraining(dpo.get());
      generator = generator.toBuilder().setAdapter(dpo.get().getAdapter()).build();
    }
    return Optional.of(
        result
            .addStages(named(measure.get().getStage(), Stages.MEASURE))
            .setGeneratorTraining(generator)
            .setExtenderTraining(ext.get())
            .setInstructionPool(si.get().getPool())
            .setInitialLengths(dropShort.get().getLengths())
            .setExtendedLengths(dropShortExtended.get().getLengths())
            .setExtensionAcceptance(x.getAttempts() == 0 ? 0 : (double) x.getAccepted() / x.getAttempts())
            .setHeldOutLengths(measure.get().getStage().getLengths())
            .setInstructionsMade(si.get().getStage().getSamplesOut())
            .setResponsesKept(dropShort.get().getSamplesOut())
            .build());
  }

  private static Optional<MergedStage> merged(DataStore store, String run, int k, String stage) {
    return RecordedResults.completed(store, RunPaths.stageOutput(run, k, stage), MergedStage.getDefaultInstance());
  }

  private static Optional<StageResult> single(DataStore store, String path) {
    return RecordedResults.completed(store, path, StageResult.getDefaultInstance());
  }

  private static Optional<TrainingResult> training(DataStore store, String run, int k, String role) {
    return RecordedResults.completed(store, RunPaths.adapterDir(run, k, role), TrainingResult.getDefaultInstance());
  }

  /**
   * Round k's recorded DPO training, when it ran with pairs (without pairs it records nothing and
   * the Generator keeps its SFT adapter, which is what recovery then takes too).
   */
  private static Optional<TrainingResult> dpo(DataStore store, String run, int k) {
    return RecordedResults.completed(
        store, RunPaths.dpoAdapterDir(run, k), TrainingResult.getDefaultInstance());
  }

  private static StageResult named(StageResult r, String stage) {
    return r.toBuilder().setName(stage).setSkipped(true).build();
  }

  /** As the round workflow reports the training-sets stage. */
  private static StageResult setsStage(DatasetRef extended, BuiltTrainingSets sets) {
    return StageResult.newBuilder()
        .setName(Stages.TRAINING_SETS)
        .setOutput(sets.getGenerator())
        .addShards(sets.getGenerator())
        .addShards(sets.getExtender())
        .setSamplesIn(extended.getCount())
        .setSamplesOut(sets.getGenerator().getCount())
        .setSkipped(true)
        .build();
  }

  private static StageResult trainStage(String stage, TrainingResult t) {
    return StageResult.newBuilder().setName(stage).setSamplesIn(t.getExamples()).setSkipped(true).build();
  }
}
