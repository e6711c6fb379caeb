package selflengthen.workers;

import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import selflengthen.spec.SpecValidationException;
import selflengthen.spec.SpecValidator;
import selflengthen.v1.ParallelismUpdate;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;
import selflengthen.workflows.SelfLengthenRun;

/**
 * Test double of the run workflow for CLI tests: stays running (until cancelled) and answers
 * the signals, update and query of the real one from its own small state.
 */
public class ControllableRun implements SelfLengthenRun {
  private RunSpec spec = RunSpec.getDefaultInstance();
  private boolean paused;
  private int parallelism;
  private long startedAt;

  @Override
  public RunResult run(RunSpec input, RunState state) {
    try {
      spec = SpecValidator.validateStructure(input);
    } catch (SpecValidationException e) {
      throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "SpecValidation");
    }
    parallelism = spec.getParallelism().getMaxConcurrentShards();
    startedAt = Workflow.currentTimeMillis();
    Workflow.await(() -> false);
    return RunResult.getDefaultInstance();
  }

  @Override
  public void pause() {
    paused = true;
  }

  @Override
  public void unpause() {
    paused = false;
  }

  @Override
  public int setParallelism(ParallelismUpdate update) {
    parallelism = update.getMaxConcurrentShards();
    return parallelism;
  }

  @Override
  public void validateParallelism(ParallelismUpdate update) {
    if (update.getMaxConcurrentShards() > 1000) {
      throw new IllegalArgumentException("max_concurrent_shards must be at most 1000");
    }
  }

  @Override
  public RunStatus status() {
    return RunStatus.newBuilder()
        .setRunId(spec.getRunId())
        .setPhase("round")
        .setRound(1)
        .setRoundsTotal(spec.getRounds())
        .setStage("respond")
        .addStages(StageProgress.newBuilder().setName("self_instruct").setState(StageState.STAGE_STATE_DONE)
            .setShardsTotal(4).setShardsDone(4).setSamples(spec.getSelfInstruct().getInstructionsPerRound())
            .setMeanWords(41.5).setElapsedMs(65_000))
        .addStages(StageProgress.newBuilder().setName("respond").setState(StageState.STAGE_STATE_RUNNING)
            .setShardsTotal(8).setShardsDone(2).setShardsRunning(3).setSamples(64).setMeanWords(812.25)
            .setElapsedMs(30_000).setEtaMs(90_000))
        .setPaused(paused)
        .setMaxConcurrentShards(parallelism)
        .setStartedAtMs(startedAt)
        .setLanguage(spec.getLanguage())
        .build();
  }

  @Override
  public void roundProgress(RoundProgress progress) {}
}
