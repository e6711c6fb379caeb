package selflengthen.workflows;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import org.slf4j.Logger;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.TrainActivities;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.EvalScores;
import selflengthen.v1.MergedStage;
import selflengthen.v1.RoundCarry;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RoundSettings;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ScoreEvalTask;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;
import selflengthen.v1.TrainingSetsTask;

/**
 * The stages of one round in method order. What is finished lives in {@link RoundCarry}: at a stage
 * boundary the round continues-as-new (same workflow id; the parent keeps waiting for the final
 * result) once its history grows past {@code history_limit} or the server suggests it, and picks up
 * at the first stage not in the carried result.
 */
public class SelfLengthenRoundImpl implements SelfLengthenRound {
  private static final Logger log = Workflow.getLogger(SelfLengthenRoundImpl.class);

  private final RoundInput input;
  private final RunSpec spec;
  private final int round;
  private final FanOutSettings settings;
  private final StageBoard board;
  private StageRunner runner;
  private final RoundCarry.Builder carry;
  private final RoundResult.Builder result;
  private long sentSeq;
  private long lastSentAt = Long.MIN_VALUE / 2;
  private int stagesThisExecution;
  private boolean closing;
  private boolean signalInFlight;

  @WorkflowInit
  public SelfLengthenRoundImpl(RoundInput input) {
    this.input = input;
    this.spec = input.getSpec();
    this.round = input.getRound();
    this.settings = FanOutSettings.from(input.getSettings());
    this.carry = input.getCarry().toBuilder();
    this.result = carry.getResult().toBuilder().setRound(round);
    this.board =
        new StageBoard(
            Stages.ROUND, carry.getProgressList(), carry.getProgressSeq(), Workflow::currentTimeMillis);
    this.sentSeq = carry.getProgressSeq();
  }

  @Override
  public RoundResult run(RoundInput ignored) {
    int version =
        Workflow.getVersion(Versions.ROUND_STAGES, Workflow.DEFAULT_VERSION, Versions.ROUND_STAGES_MAX);
    runner =
        new StageRunner(
            spec, round, settings, board, StageRunner.Features.since(version, Versions.ROUND_STAGES_FAST, Versions.ROUND_STAGES_BATCHES));
    if (!input.getParentWorkflowId().isEmpty()) {
      Async.procedure(this::pumpProgress);
    }
    for (String stage : Stages.ROUND) {
      if (finished(stage)) {
        continue;
      }
      continueAsNewIfLong();
      Workflow.await(() -> !settings.paused());
      stagesThisExecution++;
      switch (stage) {
        case Stages.SELF_INSTRUCT -> selfInstruct();
        case Stages.RESPOND -> respond();
        case Stages.DROP_SHORT -> dropShort();
        case Stages.EXTEND -> extend();
        case Stages.DROP_SHORT_EXTENDED -> dropShortExtended();
        case Stages.TRAINING_SETS -> trainingSets();
        case Stages.TRAIN_GENERATOR, Stages.TRAIN_EXTENDER -> train();
        case Stages.MEASURE -> measure();
        default -> throw new IllegalStateException("unknown stage " + stage);
      }
    }
    if (version >= Versions.ROUND_STAGES_EVAL
        && !spec.getEvaluation().getDataset().isEmpty()
        && !finished(Stages.EVAL)) {
      continueAsNewIfLong();
      Workflow.await(() -> !settings.paused());
      stagesThisExecution++;
      evaluate();
    }
    stopProgress();
    return result.build();
  }

  @Override
  public void settings(RoundSettings update) {
    settings.apply(update);
  }

  @Override
  public RoundProgress status() {
    return progress();
  }

  private void selfInstruct() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.SELF_INSTRUCT,
                input.getInstructionPool(),
                spec.getSelfInstruct().getInstructionsPerRound(),
                Roles.GENERATOR,
                adapter(input.hasGeneratorAdapter(), input.getGeneratorAdapter()),
                input.getInstructionPool()));
    result
        .addStages(m.getStage())
        .setInstructionsMade(m.getStage().getSamplesOut())
        .setInstructionPool(m.getPool());
    stopIfEmpty(Stages.SELF_INSTRUCT, m.getStage());
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
    if (!input.getParentWorkflowId().isEmpty()) {
      Workflow.await(Duration.ofSeconds(10), () -> sentSeq >= board.seq() && !signalInFlight);
    }
    throw empty;
  }

  private void respond() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.RESPOND,
                output(Stages.SELF_INSTRUCT),
                0,
                Roles.GENERATOR,
                adapter(input.hasGeneratorAdapter(), input.getGeneratorAdapter()),
                null));
    result.addStages(m.getStage());
    stopIfEmpty(Stages.RESPOND, m.getStage());
  }

  private void dropShort() {
    StageResult r = dropShort(Stages.DROP_SHORT, output(Stages.RESPOND));
    result.setResponsesKept(r.getSamplesOut()).setInitialLengths(r.getLengths());
  }

  private void extend() {
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.EXTEND,
                output(Stages.DROP_SHORT),
                0,
                Roles.EXTENDER,
                adapter(input.hasExtenderAdapter(), input.getExtenderAdapter()),
                null));
    result.addStages(m.getStage());
    result.setExtensionAcceptance(
        m.getAttempts() == 0 ? 0 : (double) m.getAccepted() / m.getAttempts());
    stopIfEmpty(Stages.EXTEND, m.getStage());
  }

  private void dropShortExtended() {
    StageResult r = dropShort(Stages.DROP_SHORT_EXTENDED, output(Stages.EXTEND));
    result.setExtendedLengths(r.getLengths());
  }

  private StageResult dropShort(String stage, DatasetRef in) {
    StageResult r =
        runner
            .single(
            stage,
            () ->
                runner
                    .control(stage)
                    .dropShort(
                        DropShortTask.newBuilder()
                            .setContext(runner.context(stage))
                            .setInput(in)
                            .setOutputPath(RunPaths.stageOutput(runner.runId(), round, stage))
                            .setSeed(runner.seed(stage, 0))
                            .build()),
                x -> x)
            .result();
    result.addStages(r);
    stopIfEmpty(stage, r);
    return r;
  }

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
            adapter(input.hasGeneratorAdapter(), input.getGeneratorAdapter()));
    TrainTask ext =
        trainTask(
            Stages.TRAIN_EXTENDER,
            Roles.EXTENDER,
            sets.getExtender(),
            adapter(input.hasExtenderAdapter(), input.getExtenderAdapter()));
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
    String runId = runner.runId();
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.EVAL,
                DatasetRef.newBuilder().setPath(RunPaths.evalDataset(runId)).build(),
                0,
                Roles.GENERATOR,
                result.getGeneratorTraining().getAdapter(),
                null));
    EvalScores scores =
        runner
            .evalControl(Stages.EVAL)
            .scoreEval(
                ScoreEvalTask.newBuilder()
                    .setContext(runner.context(Stages.EVAL))
                    .setResponses(m.getStage().getOutput())
                    .setOutputDir(RunPaths.evalReportDir(runId, round))
                    .build());
    result.addStages(m.getStage()).setEvaluation(scores);
  }

  private boolean finished(String stage) {
    return result.getStagesList().stream().anyMatch(s -> s.getName().equals(stage));
  }

  private DatasetRef output(String stage) {
    return result.getStagesList().stream()
        .filter(s -> s.getName().equals(stage))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("stage " + stage + " has not run"))
        .getOutput();
  }

  private static AdapterRef adapter(boolean present, AdapterRef ref) {
    return present ? ref : null;
  }

  /** Keeps every execution's history bounded: continue at a stage boundary with what is done. */
  private void continueAsNewIfLong() {
    WorkflowInfo info = Workflow.getInfo();
    long limit = input.getHistoryLimit();
    boolean tooLong =
        info.isContinueAsNewSuggested() || (limit > 0 && info.getHistoryLength() >= limit);
    // At least one stage per execution, or a tiny limit would continue-as-new forever.
    if (!tooLong || stagesThisExecution == 0) {
      return;
    }
    stopProgress();
    Workflow.await(Workflow::isEveryHandlerFinished);
    RoundInput next =
        input.toBuilder()
            .setSettings(settings.toMessage())
            .setCarry(
                carry
                    .setResult(result)
                    .clearProgress()
                    .addAllProgress(board.snapshot())
                    .setProgressSeq(board.seq()))
            .build();
    Workflow.continueAsNew(next);
  }

  private RoundProgress progress() {
    return RoundProgress.newBuilder()
        .setRound(round)
        .setStage(board.current())
        .addAllStages(board.snapshot())
        .setSeq(board.seq())
        .build();
  }

  /**
   * Sends progress to the parent run: at once on a change of stage state, otherwise at most once per
   * progress interval (each signal is a history event on both sides).
   */
  private void pumpProgress() {
    SelfLengthenRun parent =
        Workflow.newExternalWorkflowStub(SelfLengthenRun.class, input.getParentWorkflowId());
    long interval = input.getProgressIntervalMs();
    while (true) {
      Workflow.await(() -> closing || board.seq() > sentSeq);
      long wait = lastSentAt + interval - Workflow.currentTimeMillis();
      if (!closing && board.urgentSeq() <= sentSeq && wait > 0) {
        // One timer per interval at most, so a change is never held back longer than the interval.
        Workflow.await(Duration.ofMillis(wait), () -> closing || board.urgentSeq() > sentSeq);
      }
      if (closing) {
        return;
      }
      RoundProgress p = progress();
      sentSeq = p.getSeq();
      lastSentAt = Workflow.currentTimeMillis();
      signalInFlight = true;
      try {
        parent.roundProgress(p);
      } catch (RuntimeException e) {
        // Progress is advisory; a parent that is gone must not fail the round.
        log.warn("round {} could not signal progress to {}: {}", round, input.getParentWorkflowId(), e.getMessage());
      } finally {
        signalInFlight = false;
      }
    }
  }

  /**
   * The parent learns the end from the result (or the next execution resumes the pump); waiting for
   * the last signal's acknowledgement keeps it from racing the completion.
   */
  private void stopProgress() {
    closing = true;
    Workflow.await(() -> !signalInFlight);
  }
}
