package selflengthen.workers.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;

/** The demo's progress lines: the round named once, training by its heartbeat, not "0/0 shards". */
class ProgressLineTest {
  static RunStatus.Builder round(String stage) {
    return RunStatus.newBuilder().setPhase("round").setRound(1).setRoundsTotal(2).setStage(stage)
        .addStages(StageProgress.newBuilder().setName("respond").setState(StageState.STAGE_STATE_DONE)
            .setShardsTotal(8).setShardsDone(8).setSamples(24).setMeanWords(310))
        .addStages(StageProgress.newBuilder().setName("train_generator").setState(StageState.STAGE_STATE_RUNNING))
        .addStages(StageProgress.newBuilder().setName("train_extender").setState(StageState.STAGE_STATE_RUNNING));
  }

  @Test
  void aShardedStageShowsItsShards() {
    assertEquals("round 1/2 | respond 8/8 shards, 24 samples, mean 310 words",
        DemoRun.ProgressPrinter.progressLine(round("respond").build(), Map.of()));
  }

  @Test
  void trainingShowsStepsLossAndThroughput() {
    assertEquals("round 1/2 | train_generator step 3/12, loss 2.310, 4800 tokens/s"
            + " | train_extender step 1/12, loss 3.000, 4100 tokens/s",
        DemoRun.ProgressPrinter.progressLine(round("train_generator").build(), Map.of(
            "train_generator", "step 3/12, loss 2.310, 4800 tokens/s",
            "train_extender", "step 1/12, loss 3.000, 4100 tokens/s")));
    assertEquals("round 1/2 | train_generator",
        DemoRun.ProgressPrinter.progressLine(round("train_generator").build(), Map.of()));
  }

  @Test
  void otherPhasesAreNamedAsTheyAre() {
    assertEquals("measure_seed", DemoRun.ProgressPrinter.progressLine(
        RunStatus.newBuilder().setPhase("measure_seed").build(), Map.of()));
  }
}
