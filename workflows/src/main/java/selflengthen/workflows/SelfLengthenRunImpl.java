package selflengthen.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.util.List;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.MergedStage;
import selflengthen.v1.ParallelismUpdate;
import selflengthen.v1.PreparedRun;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SpecRef;
import selflengthen.v1.RunState;
import selflengthen.v1.RunStatus;

/**
 * The run: prepare (validate + recover from the store), measure the seed model on the held-out set,
 * then one round per execution as the child {@code <run_id>/round-<k>}, continuing-as-new after each
 * round with the updated {@link RunState}, so the history stays bounded on runs of any length. The
 * execution that finds every round done collects long.jsonl, applies length control and writes the
 * report.
 */
public class SelfLengthenRunImpl implements SelfLengthenRun {
  /** Minimum time between two progress signals of a round inside one stage. */
  public static final long PROGRESS_INTERVAL_MS = 2_000;
  /** A round continues-as-new at a step boundary past this many history events. */
  public static final long ROUND_HISTORY_LIMIT = 20_000;

  private final String runId;
  private final FanOutSettings settings;
  private final StageBoard seedBoard;
  private RunSpec spec;
  private RunState.Builder state;
  private String phase = "validating";
  /** The phase the run was in when it failed or was cancelled: status keeps its stages. */
  private String failedIn = "";
  /** The running round: its start, its progress for status, settings forwarded to it. */
  private final RoundLink link;
  private StageRunner.Features features = StageRunner.Features.LEGACY;

  @WorkflowInit
  public SelfLengthenRunImpl(RunSpec spec, RunState carried) {
    // run_id defaults to the workflow id (a foreign client may leave it out); run() checks they match.
    this.runId = spec.getRunId().isEmpty() ? Workflow.getInfo().getWorkflowId() : spec.getRunId();
    this.spec = spec.getRunId().isEmpty() ? spec.toBuilder().setRunId(runId).build() : spec;
    boolean resumed = isCarried(carried);
    this.state = resumed ? carried.toBuilder() : null;
    this.settings =
        new FanOutSettings(
            resumed && carried.getPaused(),
            resumed && carried.getMaxConcurrentShards() > 0
                ? carried.getMaxConcurrentShards()
                : spec.getParallelism().getMaxConcurrentShards(),
            0);
    this.seedBoard = new StageBoard(List.of(Stages.MEASURE), List.of(), 0, Workflow::currentTimeMillis);
    this.link = new RoundLink(runId, settings);
  }

  @Override
  public RunResult run(RunSpec input, RunState carried) {
    features =
        StageRunner.Features.since(
            Workflow.getVersion(Versions.RUN_FLOW, Workflow.DEFAULT_VERSION, Versions.RUN_FLOW_MAX),
            Versions.RUN_FLOW_FAST);
    link.start();
    try {
      if (!isCarried(carried)) {
        prepare(checkRunId(input));
      }
      if (!state.hasSeedHeldOutLengths()) {
        phase = "measure_seed";
        measureSeed();
      }
      if (!spec.getEvaluation().getDataset().isEmpty() && !state.hasSeedEvaluation()
          && Workflow.getVersion(Versions.SEED_EVAL, Workflow.DEFAULT_VERSION, Versions.SEED_EVAL_MAX)
              >= Versions.SEED_EVAL_MAX) {
        phase = "eval_seed";
        evaluateSeed();
      }
      if (state.getNextRound() <= spec.getRounds()) {
        phase = "round";
        runRound(state.getNextRound());
        continueAsNew();
      }
      return finish();
    } catch (RuntimeException e) {
      failedIn = phase;
      // A cancel reaches the run as a CanceledFailure, or wrapped in a round's failure.
      phase = e instanceof io.temporal.failure.CanceledFailure
              || io.temporal.workflow.CancellationScope.current().isCancelRequested()
          ? "cancelled" : "failed";
      throw e;
    }
  }

  @Override
  public void pause() {
    settings.setPaused(true);
  }

  @Override
  public void unpause() {
    settings.setPaused(false);
  }

  @Override
  public int setParallelism(ParallelismUpdate update) {
    settings.setLimit(update.getMaxConcurrentShards());
    return settings.limit();
  }

  @Override
  public void validateParallelism(ParallelismUpdate update) {
    String problem = FanOutSettings.checkLimit(update.getMaxConcurrentShards());
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  @Override
  public void roundProgress(RoundProgress progress) {
    link.received(progress);
  }

  @Override
  public RunStatus status() {
    RunStatus.Builder s =
        RunStatus.newBuilder()
            .setRunId(runId)
            .setPhase(phase)
            .setRound(link.round())
            .setRoundsTotal(spec.getRounds())
            .setPaused(settings.paused())
            .setMaxConcurrentShards(settings.limit())
            .setLanguage(spec.getLanguage());
    if (state != null) {
      s.addAllRounds(state.getRoundsList()).setStartedAtMs(state.getStartedAtMs());
      if (state.hasSeedHeldOutLengths()) {
        s.setSeedHeldOutLengths(state.getSeedHeldOutLengths());
        if (state.hasSeedEvaluation()) {
          s.setSeedEvaluation(state.getSeedEvaluation());
        }
      }
    }
    String shown = phase.equals("failed") || phase.equals("cancelled") ? failedIn : phase;
    if (shown.equals("measure_seed")) {
      s.setStage(seedBoard.current()).addAllStages(seedBoard.snapshot());
    } else if (shown.equals("round")) {
      link.describe(s);
    }
    return s.build();
  }

  /**
   * The spec with run_id set to the workflow id when it was left out. A different run_id is refused:
   * every file of the run lives under runs/&lt;run_id&gt;, and status, resume and cancel find a run
   * by its workflow id, so the two must be one name. (Runs recorded before the check skip it.)
   */
  private RunSpec checkRunId(RunSpec input) {
    RunSpec withId = input.getRunId().isEmpty() ? input.toBuilder().setRunId(runId).build() : input;
    String workflowId = Workflow.getInfo().getWorkflowId();
    if (!withId.getRunId().equals(workflowId)
        && Workflow.getVersion(Versions.RUN_ID_CHECK, Workflow.DEFAULT_VERSION, Versions.RUN_ID_CHECK_MAX)
            >= Versions.RUN_ID_CHECK_MAX) {
      throw ApplicationFailure.newNonRetryableFailure(
          "invalid run spec (1 problem): run_id: '" + withId.getRunId() + "' differs from the workflow id '"
              + workflowId + "': leave run_id out or set it to the workflow id",
          ActivityFailures.SPEC_VALIDATION);
    }
    return withId;
  }

  /** Resolves and validates the spec; a broken spec fails the run at once with its message. */
  private void prepare(RunSpec input) {
    PreparedRun prepared;
    try {
      prepared =
          new StageRunner(input, 0, settings, seedBoard, features)
              .remoteControl(Stages.PREPARE)
              .prepareRun(input);
    } catch (ActivityFailure f) {
      if (f.getCause() instanceof ApplicationFailure a
          && ActivityFailures.NON_RETRYABLE.contains(a.getType())) {
        throw ApplicationFailure.newNonRetryableFailure(a.getOriginalMessage(), a.getType());
      }
      throw f;
    }
    spec = prepared.getSpec();
    state = prepared.getState().toBuilder().setHeldOut(prepared.getHeldOut());
    if (prepared.hasSpecRef()) {
      state.setSpecRef(prepared.getSpecRef());
    }
    if (state.getNextRound() == 0) {
      state.setNextRound(1);
    }
    if (!state.hasInstructionPool()) {
      state.setInstructionPool(prepared.getSeedPool());
    }
    if (state.getStartedAtMs() == 0) {
      state.setStartedAtMs(Workflow.currentTimeMillis());
    }
    settings.setLimitIfUnset(spec.getParallelism().getMaxConcurrentShards());
  }

  /** The seed model's answers to the held-out instructions: the baseline each round is compared to. */
  private void measureSeed() {
    StageRunner runner = new StageRunner(spec, specRef(), 0, settings, seedBoard, features);
    MergedStage m =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.MEASURE, state.getHeldOut(), 0, Roles.GENERATOR, null, null));
    state.setSeedHeldOutLengths(m.getStage().getLengths());
  }

  /** The seed model on the spec's benchmark file: the baseline of each round's benchmark score. */
  private void evaluateSeed() {
    StageRunner runner = new StageRunner(spec, specRef(), 0, settings, seedBoard, features);
    StageRunner.Scored eval =
        runner.answerAndScore(
            DatasetRef.newBuilder().setPath(RunPaths.evalDataset(runId)).build(),
            null,
            RunPaths.evalReportDir(runId, 0));
    state.setSeedEvaluation(eval.scores());
  }

  /** Round k as a child workflow; its adapters and instruction pool carry to the next round. */
  private void runRound(int k) {
    Workflow.await(() -> !settings.paused());
    RoundInput.Builder in =
        RoundInput.newBuilder()
            .setSpec(spec)
            .setRound(k)
            .setInstructionPool(state.getInstructionPool())
            .setHeldOut(state.getHeldOut());
    if (state.hasGeneratorAdapter()) {
      in.setGeneratorAdapter(state.getGeneratorAdapter());
    }
    if (state.hasExtenderAdapter()) {
      in.setExtenderAdapter(state.getExtenderAdapter());
    }
    if (state.hasSpecRef()) {
      in.setSpecRef(state.getSpecRef());
    }
    RoundResult r = link.run(k, in);
    state
        .addRounds(r)
        .setNextRound(k + 1)
        .setGeneratorAdapter(r.getGeneratorTraining().getAdapter())
        .setExtenderAdapter(r.getExtenderTraining().getAdapter())
        .setInstructionPool(r.getInstructionPool());
  }

  private void continueAsNew() {
    Workflow.await(Workflow::isEveryHandlerFinished);
    RunState next =
        state.setPaused(settings.paused()).setMaxConcurrentShards(settings.limit()).build();
    Workflow.continueAsNew(spec, next);
  }

  /** After the last round: {@link FinalSteps}. */
  private RunResult finish() {
    Workflow.await(() -> !settings.paused());
    link.showRound(spec.getRounds());
    StageRunner runner = new StageRunner(spec, specRef(), 0, settings, seedBoard, features);
    RunResult result = new FinalSteps(runId, spec, state.build(), runner, p -> phase = p).run();
    phase = "done";
    return result;
  }

  /** The prepared spec's file, which stage inputs carry; null for runs prepared before it existed. */
  private SpecRef specRef() {
    return state != null && state.hasSpecRef() ? state.getSpecRef() : null;
  }

  /**
   * A state carried by continue-as-new (complete, with its held-out set). Anything else, including
   * a partial state handed in by hand, goes through prepareRun, whose manifest recovery is the
   * authority on what is done.
   */
  private static boolean isCarried(RunState carried) {
    return carried != null && carried.getNextRound() > 0 && carried.hasHeldOut();
  }
}
