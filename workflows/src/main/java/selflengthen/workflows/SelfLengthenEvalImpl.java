package selflengthen.workflows;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.util.List;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.v1.EvalInput;
import selflengthen.v1.EvalResult;
import selflengthen.v1.EvalStatus;
import selflengthen.v1.PrepareEvalTask;
import selflengthen.v1.PreparedEval;
import selflengthen.v1.RunSpec;

/**
 * Prepare (control), answer (the sharded eval stage, round 0), score (control). Small: the answers
 * and reports stay in the store, the history holds one activity per shard plus three.
 */
public class SelfLengthenEvalImpl implements SelfLengthenEval {
  private final StageBoard board =
      new StageBoard(List.of(Stages.EVAL), List.of(), 0, Workflow::currentTimeMillis);
  private String evalId = "";
  private String phase = "preparing";

  @Override
  public EvalResult run(EvalInput input) {
    StageRunner.Features features =
        StageRunner.Features.since(
            Workflow.getVersion(Versions.EVAL_FLOW, Workflow.DEFAULT_VERSION, Versions.EVAL_FLOW_MAX),
            Versions.EVAL_FLOW_FAST);
    RunSpec given = input.getSpec();
    evalId = given.getRunId();
    try {
      // Not paused, parallelism from the spec (the resolved value once prepared).
      FanOutSettings settings = new FanOutSettings(false, given.getParallelism().getMaxConcurrentShards(), 0);
      PreparedEval prepared = prepare(given, settings);
      RunSpec spec = prepared.getSpec();
      settings.setLimitIfUnset(spec.getParallelism().getMaxConcurrentShards());
      StageRunner runner = new StageRunner(spec, 0, settings, board, features);

      phase = "generating";
      StageRunner.Scored eval =
          runner.answerAndScore(prepared.getDataset(), null, RunPaths.evalReportDir(evalId, 0));
      phase = "done";
      return EvalResult.newBuilder()
          .setEvalId(evalId)
          .setScores(eval.scores())
          .setStage(eval.answered().getStage())
          .setSpec(spec)
          .build();
    } catch (RuntimeException e) {
      phase = "failed";
      throw e;
    }
  }

  @Override
  public EvalStatus status() {
    // Once the answers are merged (the stage has ended on the board), the scoring call runs.
    return EvalStatus.newBuilder()
        .setEvalId(evalId)
        .setPhase(phase.equals("generating") && board.ended(Stages.EVAL) ? "scoring" : phase)
        .addAllStages(board.snapshot())
        .build();
  }

  /** A bad spec or unusable input fails the evaluation at once, with the activity's message. */
  private static PreparedEval prepare(RunSpec spec, FanOutSettings settings) {
    StageRunner runner =
        new StageRunner(
            spec, 0, settings, new StageBoard(List.of(), List.of(), 0, () -> 0), StageRunner.Features.LEGACY);
    try {
      return runner
          .evalControl(Stages.PREPARE)
          .prepareEval(
              PrepareEvalTask.newBuilder()
                  .setContext(runner.context(Stages.PREPARE))
                  .setDatasetOutputPath(RunPaths.evalDataset(spec.getRunId()))
                  .build());
    } catch (ActivityFailure f) {
      if (f.getCause() instanceof ApplicationFailure a
          && ActivityFailures.NON_RETRYABLE.contains(a.getType())) {
        throw ApplicationFailure.newNonRetryableFailure(a.getOriginalMessage(), a.getType());
      }
      throw f;
    }
  }
}
