package selflengthen.workflows;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.util.List;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.TrainActivities;
import selflengthen.method.preference.PreferenceSpecs;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.BuiltPreferenceSets;
import selflengthen.v1.DpoTask;
import selflengthen.v1.DpoWhen;
import selflengthen.v1.PreferenceSetsTask;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.MergedStage;
import selflengthen.v1.RoundCarry;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RoundSettings;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;
import selflengthen.v1.TrainingSetsTask;

/**
 * One round of Self-Lengthen: {@link #run} lists the method's steps in order. {@link RoundSteps}
 * skips the finished ones, pauses and continues-as-new between steps; {@link RoundRelay} keeps the
 * parent run informed; {@link StageRunner} turns each step into its activities.
 *
 * <p>A new step is one line in {@link #run} (behind the next {@link Versions#ROUND_STAGES} value,
 * so rounds recorded without it still replay) plus its method here.
 */
public class SelfLengthenRoundImpl implements SelfLengthenRound {
  private final RoundInput input;
  private final RunSpec spec;
  private final int round;
  private final FanOutSettings settings;
  private final StageBoard board;
  private final RoundRelay relay;
  private final RoundSteps steps;
  private final RoundCarry.Builder carry;
  private final RoundResult.Builder result;
  private StageRunner runner;

  @WorkflowInit
  public SelfLengthenRoundImpl(RoundInput input) {
    this.input = input;
    this.spec = input.getSpec();
    this.round = input.getRound();
    this.carry = input.getCarry().toBuilder();
    this.result = carry.getResult().toBuilder().setRound(round);
    this.board =
        new StageBoard(
            Stages.ROUND, carry.getProgressList(), carry.getProgressSeq(), Workflow::currentTimeMillis);
    this.settings = FanOutSettings.from(input.getSettings());
    this.relay = new RoundRelay(input, settings, board);
    this.steps =
        new RoundSteps(
            input.getHistoryLimit(), settings, relay, result, () -> relay.next(carry, result));
  }

  @Override
  public RoundResult run(RoundInput ignored) {
    int version =
        Workflow.getVersion(Versions.ROUND_STAGES, Workflow.DEFAULT_VERSION, Versions.ROUND_STAGES_MAX);
    runner =
        new StageRunner(
            spec,
            input.hasSpecRef() ? input.getSpecRef() : null,
            round,
            settings,
            board,
            StageRunner.Features.since(version, Versions.ROUND_STAGES_FAST, Versions.ROUND_STAGES_BATCHES));
    relay.start();
    boolean preference = version >= Versions.ROUND_STAGES_PREFERENCE;
    if (preference && PreferenceSpecs.agentWrite(spec)) {
      runner.agentWriteResponses();
    }

    steps.run(Stages.SELF_INSTRUCT, this::selfInstruct);
    steps.run(Stages.RESPOND, this::respond);
    steps.run(Stages.DROP_SHORT, this::dropShort);
    steps.run(Stages.EXTEND, this::extend);
    if (preference && PreferenceSpecs.writesPairs(spec)) {
      steps.run(Stages.PREFERENCE, this::preferenceSets);
    }
    steps.run(Stages.DROP_SHORT_EXTENDED, this::dropShortExtended);
    steps.run(Stages.TRAINING_SETS, this::trainingSets);
    steps.run(List.of(Stages.TRAIN_GENERATOR, Stages.TRAIN_EXTENDER), this::train);
    if (preference && PreferenceSpecs.dpoAfterRound(spec, round)) {
      steps.run(Stages.TRAIN_DPO, this::trainDpo);
    }
    steps.run(Stages.MEASURE, this::measure);
    if (version >= Versions.ROUND_STAGES_EVAL && !spec.getEvaluation().getDataset().isEmpty()) {
      steps.run(Stages.EVAL, this::evaluate);
    }

    relay.stop();
    return result.build();
  }

  @Override
  public void settings(RoundSettings update) {
    relay.settings(update);
  }

  @Override
  public RoundProgress status() {
    return relay.progress();
  }

  /** New instructions from the pool (self-instruct); the pool grows by the accepted ones. */
  private void selfInstruct() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.SELF_INSTRUCT,
                input.getInstructionPool(),
                spec.getSelfInstruct().getInstructionsPerRound(),
                Roles.GENERATOR,
                previousGenerator(),
                input.getInstructionPool()));
    result
        .addStages(m.getStage())
        .setInstructionsMade(m.getStage().getSamplesOut())
        .setInstructionPool(m.getPool());
    stopIfEmpty(Stages.SELF_INSTRUCT, m.getStage());
  }

  /** The Generator answers the new instructions (the initial responses). */
  private void respond() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.RESPOND,
                output(Stages.SELF_INSTRUCT),
                0,
                Roles.GENERATOR,
                previousGenerator(),
                null));
    result.addStages(m.getStage());
    stopIfEmpty(Stages.RESPOND, m.getStage());
  }

  /** Drops answers shorter than their length goal. */
  private void dropShort() {
    StageResult r = dropShort(Stages.DROP_SHORT, output(Stages.RESPOND));
    result.setResponsesKept(r.getSamplesOut()).setInitialLengths(r.getLengths());
  }

  /** The Extender lengthens each kept answer; an attempt counts when it grew enough. */
  private void extend() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.EXTEND,
                output(Stages.DROP_SHORT),
                0,
                Roles.EXTENDER,
                previousExtender(),
                null));
    result.addStages(m.getStage());
    result.setExtensionAcceptance(
        m.getAttempts() == 0 ? 0 : (double) m.getAccepted() / m.getAttempts());
    stopIfEmpty(Stages.EXTEND, m.getStage());
  }

  /** Drop-short again, on the extended answers. */
  private void dropShortExtended() {
    StageResult r = dropShort(Stages.DROP_SHORT_EXTENDED, output(Stages.EXTEND));
    result.setExtendedLengths(r.getLengths());
  }

  private StageResult dropShort(String stage, DatasetRef in) {
    StageResult r = runner.dropShort(stage, in);
    result.addStages(r);
    stopIfEmpty(stage, r);
    return r;
  }

  /**
   * The Generator's set (instruction -> extended answer) and the Extender's (initial answer ->
   * extended answer); a round with an empty set fails here.
   */
  private void trainingSets() {
    String stage = Stages.TRAINING_SETS;
    DatasetRef extended = output(Stages.DROP_SHORT_EXTENDED);
    String runId = runner.runId();
    StageRunner.Single<BuiltTrainingSets> built =
        runner.single(
            stage,
            () ->
                runner
                    .control(stage)
                    .buildTrainingSets(
                        TrainingSetsTask.newBuilder()
                            .setContext(runner.context(stage))
                            .setExtended(extended)
                            .setGeneratorOutputPath(RunPaths.trainingSet(runId, round, Roles.GENERATOR))
                            .setExtenderOutputPath(RunPaths.trainingSet(runId, round, Roles.EXTENDER))
                            .setDatasetInfoPath(RunPaths.datasetInfo(runId, round))
                            .setSeed(runner.seed(stage, 0))
                            .build()),
            s -> setsResult(extended, s));
    BuiltTrainingSets sets = built.value();
    if (sets.getGenerator().getCount() == 0 || sets.getExtender().getCount() == 0) {
      throw ApplicationFailure.newNonRetryableFailure(
          "round "
              + round
              + ": a training set is empty (generator "
              + sets.getGenerator().getCount()
              + ", extender "
              + sets.getExtender().getCount()
              + " examples): no extended response survived; see "
              + extended.getPath(),
          "EmptyTrainingSet");
    }
    carry.setTrainingSets(sets);
    result.addStages(built.result());
  }

  private static StageResult setsResult(DatasetRef extended, BuiltTrainingSets sets) {
    return StageResult.newBuilder()
        .setOutput(sets.getGenerator())
        .addShards(sets.getGenerator())
        .addShards(sets.getExtender())
        .setSamplesIn(extended.getCount())
        .setSamplesOut(sets.getGenerator().getCount())
        .build();
  }

  /** Generator and Extender, each from its previous adapter; at once when spec.training.concurrent. */
  private void train() {
    BuiltTrainingSets sets = carry.getTrainingSets();
    TrainTask gen =
        trainTask(
            Stages.TRAIN_GENERATOR,
            Roles.GENERATOR,
            sets.getGenerator(),
            previousGenerator());
    TrainTask ext =
        trainTask(
            Stages.TRAIN_EXTENDER,
            Roles.EXTENDER,
            sets.getExtender(),
            previousExtender());
    boolean concurrent =
        !spec.getTraining().hasConcurrent() || spec.getTraining().getConcurrent();
    StageRunner.Single<TrainingResult> g;
    StageRunner.Single<TrainingResult> e;
    if (concurrent) {
      Promise<StageRunner.Single<TrainingResult>> gp = Async.function(() -> trainStage(gen));
      Promise<StageRunner.Single<TrainingResult>> ep = Async.function(() -> trainStage(ext));
      Promise.allOf(gp, ep).get();
      g = gp.get();
      e = ep.get();
    } else {
      g = trainStage(gen);
      e = trainStage(ext);
    }
    result
        .setGeneratorTraining(g.value())
        .setExtenderTraining(e.value())
        .addStages(g.result())
        .addStages(e.result());
  }

  private StageRunner.Single<TrainingResult> trainStage(TrainTask task) {
    String stage = task.getContext().getStage();
    TrainActivities stub = runner.train(stage);
    return runner.single(
        stage,
        () -> stub.train(task),
        r -> StageResult.newBuilder().setSamplesIn(r.getExamples()).build());
  }

  private TrainTask trainTask(String stage, String role, DatasetRef set, AdapterRef previous) {
    TrainTask.Builder t =
        TrainTask.newBuilder()
            .setContext(runner.context(stage))
            .setRole(role)
            .setTrainingSet(set)
            .setOutputDir(RunPaths.adapterDir(runner.runId(), round, role))
            .setSeed(runner.seed(stage, 0));
    if (previous != null) {
      t.setPrevious(previous);
    }
    return t.build();
  }

  /**
   * The round's preference pairs from every successful extension attempt (before drop-short, which
   * only thins the training sets), in LLaMA-Factory's and TRL's formats.
   */
  private void preferenceSets() {
    String stage = Stages.PREFERENCE;
    DatasetRef extended = output(Stages.EXTEND);
    StageRunner.Single<BuiltPreferenceSets> built =
        runner.single(
            stage,
            () ->
                runner
                    .preference(stage)
                    .buildPreferenceSets(
                        PreferenceSetsTask.newBuilder()
                            .setContext(runner.context(stage))
                            .setExtended(extended)
                            .setOutputDir(RunPaths.stageDir(runner.runId(), round, stage))
                            .setSeed(runner.seed(stage, 0))
                            .build()),
            s ->
                StageResult.newBuilder()
                    .setOutput(s.getPairs())
                    .addShards(s.getLlamaFactory())
                    .addShards(s.getTrl())
                    .setSamplesIn(extended.getCount())
                    .setSamplesOut(s.getPairs().getCount())
                    .build());
    result.setPreferencePairs(built.value().getPairs()).addStages(built.result());
  }

  /**
   * DPO of the Generator on top of its SFT adapter: on this round's pairs, or (once, after the
   * last round) on every round's. The DPO adapter becomes the round's Generator (measured, and the
   * next round's start); the SFT figures stay in generator_training.
   */
  private void trainDpo() {
    String stage = Stages.TRAIN_DPO;
    DpoTask.Builder task =
        DpoTask.newBuilder()
            .setContext(runner.context(stage))
            .setSftAdapter(result.getGeneratorTraining().getAdapter())
            .setOutputDir(RunPaths.dpoAdapterDir(runner.runId(), round))
            .setSeed(runner.seed(stage, 0));
    if (spec.getTraining().getDpo().getWhen() == DpoWhen.DPO_WHEN_LAST_ROUND) {
      for (int k = 1; k <= round; k++) {
        task.addPairs(
            DatasetRef.newBuilder()
                .setPath(RunPaths.stageDir(runner.runId(), k, Stages.PREFERENCE) + "/pairs.jsonl"));
      }
    } else {
      task.addPairs(output(Stages.PREFERENCE));
    }
    DpoTask t = task.build();
    StageRunner.Single<TrainingResult> dpo =
        runner.single(
            stage,
            () -> runner.dpo(stage).trainDpo(t),
            r -> StageResult.newBuilder().setSamplesIn(r.getExamples()).build());
    result
        .setDpoTraining(dpo.value())
        .setGeneratorTraining(
            result.getGeneratorTraining().toBuilder().setAdapter(dpo.value().getAdapter()))
        .addStages(dpo.result());
  }

  /** The new Generator answers the held-out instructions: this round's length figures. */
  private void measure() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.MEASURE,
                input.getHeldOut(),
                0,
                Roles.GENERATOR,
                result.getGeneratorTraining().getAdapter(),
                null));
    result.addStages(m.getStage()).setHeldOutLengths(m.getStage().getLengths());
  }

  /** The new Generator answers the spec's benchmark file; its scores join the round's figures. */
  private void evaluate() {
    StageRunner.Scored eval =
        runner.answerAndScore(
            DatasetRef.newBuilder().setPath(RunPaths.evalDataset(runner.runId())).build(),
            result.getGeneratorTraining().getAdapter(),
            RunPaths.evalReportDir(runner.runId(), round));
    result.addStages(eval.answered().getStage()).setEvaluation(eval.scores());
  }

  /**
   * Fails the round at a stage that produced nothing ({@link EmptyStages}), after the parent has
   * seen the stage marked failed. Rounds recorded before this check run on (version).
   */
  private void stopIfEmpty(String stage, StageResult r) {
    ApplicationFailure empty = EmptyStages.failure(round, r.toBuilder().setName(stage).build(), spec);
    if (empty == null
        || Workflow.getVersion(Versions.EMPTY_STAGE, Workflow.DEFAULT_VERSION, Versions.EMPTY_STAGE_MAX)
            < Versions.EMPTY_STAGE_MAX) {
      return;
    }
    board.fail(stage);
    relay.flush();
    throw empty;
  }

  private DatasetRef output(String stage) {
    return steps.output(stage);
  }

  /** The Generator this round starts from; null in round 1 (the base model). */
  private AdapterRef previousGenerator() {
    return input.hasGeneratorAdapter() ? input.getGeneratorAdapter() : null;
  }

  /** The Extender this round starts from; null in round 1 (the base model). */
  private AdapterRef previousExtender() {
    return input.hasExtenderAdapter() ? input.getExtenderAdapter() : null;
  }
}
