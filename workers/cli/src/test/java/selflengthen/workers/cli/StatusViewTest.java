package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import selflengthen.v1.LengthStats;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;

class StatusViewTest {
  @Test
  void rendersRoundStageBarsAndFinishedRounds() {
    RunStatus status = RunStatus.newBuilder()
        .setRunId("r1").setPhase("round").setRound(2).setRoundsTotal(3).setStage("extend")
        .setMaxConcurrentShards(8).setPaused(true).setStartedAtMs(1_000)
        .addStages(StageProgress.newBuilder().setName("respond").setState(StageState.STAGE_STATE_SKIPPED)
            .setShardsTotal(10).setShardsDone(10).setSamples(320).setMeanWords(1500.04).setElapsedMs(0))
        .addStages(StageProgress.newBuilder().setName("extend").setState(StageState.STAGE_STATE_RUNNING)
            .setShardsTotal(10).setShardsDone(5).setShardsRunning(2).setSamples(150).setMeanWords(2250)
            .setElapsedMs(125_000).setEtaMs(-1))
        .setSeedHeldOutLengths(LengthStats.newBuilder().setCount(20).setMeanWords(900).setMedianWords(880).setMaxWords(1400))
        .addRounds(RoundResult.newBuilder().setRound(1).setInstructionsMade(5000).setResponsesKept(9000)
            .setExtensionAcceptance(0.625)
            .setHeldOutLengths(LengthStats.newBuilder().setCount(20).setMeanWords(1800).setMedianWords(1750).setMaxWords(3100)))
        .build();
    String text = StatusView.render(status, 1_000 + 3_723_000);
    assertEquals(String.join("\n",
        "run r1  phase round  round 2/3  stage extend  parallelism 8  PAUSED",
        "  stage            state    shards                          done  running    samples mean words   elapsed       eta",
        "  respond          skipped  [########################]     10/10        0        320     1500.0        0s         -",
        "  extend           running  [############............]      5/10        2        150     2250.0     2m05s         ?",
        "elapsed 1h02m  stage ETA ?",
        "seed model: held-out mean 900 words (median 880, max 1400, n=20)",
        "round 1: 5000 instructions, 9000 responses kept, extension acceptance 63%, held-out mean 1800 words (median 1750, max 3100, n=20)",
        ""), text);
  }

  @Test
  void columnsLineUpWhateverTheStageNames() {
    RunStatus status = RunStatus.newBuilder().setRunId("r").setPhase("round").setRound(1).setRoundsTotal(2)
        .addStages(StageProgress.newBuilder().setName("respond").setShardsTotal(4).setShardsDone(4))
        .addStages(StageProgress.newBuilder().setName("drop_short_extended").setShardsTotal(0))
        .addStages(StageProgress.newBuilder().setName("train_generator").setShardsTotal(0).setEtaMs(-1))
        .build();
    String[] lines = StatusView.render(status, 0).split("\n");
    int done = lines[1].indexOf("done") + "done".length();
    for (int i = 2; i <= 4; i++) {
      assertEquals(' ', lines[i].charAt(done), lines[i]);
      assertTrue(lines[i].charAt(done - 1) != ' ', "the done column ends under its header: " + lines[i]);
    }
    assertEquals(lines[1].length(), lines[2].length());
    assertEquals(lines[1].length(), lines[3].length());
  }

  @Test
  void barsAndDurations() {
    assertEquals("[........................]", StatusView.bar(0, 0));
    assertEquals("[########################]", StatusView.bar(7, 7));
    assertEquals("[######..................]", StatusView.bar(1, 4));
    assertEquals("42s", StatusView.duration(42_999));
    assertEquals("3m05s", StatusView.duration(185_000));
    assertEquals("26h00m", StatusView.duration(93_600_000));
  }
}
