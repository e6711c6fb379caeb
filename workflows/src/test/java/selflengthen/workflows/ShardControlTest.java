package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowUpdateException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.activities.Stages;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.ParallelismUpdate;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunStatus;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;

/** The fan-out's controls while a run is live: straggler cut, pause, parallelism, status. */
@Tag("integration")
class ShardControlTest {

  @Test
  void theStragglerCutCancelsTheSlowestShardsAndMergesOnlyFinishedOnes() {
    try (TestRun t = new TestRun()) {
      // Round 1's responses: 10 instructions in 5 shards, all in flight, 60% needed.
      t.log.behaviors.put("cut/round-1/respond/shard-3", CallLog.Behavior.BLOCK_UNTIL_CUT);
      t.log.behaviors.put("cut/round-1/respond/shard-4", CallLog.Behavior.BLOCK_UNTIL_CUT);
      // The measurement is never cut (the reference cuts step1 and step2 only): a slow shard of it
      // is waited for.
      t.log.behaviors.put("cut/round-0/measure/shard-4", CallLog.Behavior.SLOW);
      var spec = TestRun.spec("cut", 1, 10, 10);
      spec.getParallelismBuilder().setMaxConcurrentShards(5).setStragglerFraction(0.6f);
      t.start(t.stub("cut"), spec.build());
      RunResult result = t.result("cut", RunResult.class);

      MergeStageTask merge = t.log.merges.get("cut/round-1/respond");
      assertEquals(
          List.of(0, 1, 2), merge.getFinishedList().stream().map(ShardSummary::getIndex).toList());
      assertEquals(5, merge.getShardsTotal());
      assertEquals(2, merge.getShardsCancelled());
      TestRun.eventually(
          "the two stragglers stop once the stage's merge is recorded",
          () ->
              t.log.cut.containsAll(
                  List.of("cut/round-1/respond/shard-3", "cut/round-1/respond/shard-4")));
      assertEquals(0, t.log.completedUnder("cut/round-1/respond/shard-3"));

      MergeStageTask measure = t.log.merges.get("cut/round-0/measure");
      assertEquals(5, measure.getFinishedCount());
      assertEquals(0, measure.getShardsCancelled());
      assertEquals(10, result.getSeedHeldOutLengths().getCount(), "every measurement row counts");
      MergeStageTask instruct = t.log.merges.get("cut/round-1/self_instruct");
      assertEquals(0, instruct.getShardsCancelled(), "self-instruct is never cut");
    }
  }

  @Test
  void pauseStopsNewShardStartsAndUnpauseContinues() {
    try (TestRun t = new TestRun()) {
      t.log.behaviors.put("pause/round-0/measure/shard-0", CallLog.Behavior.WAIT_FOR_GATE);
      t.log.behaviors.put("pause/round-0/measure/shard-1", CallLog.Behavior.WAIT_FOR_GATE);
      var spec = TestRun.spec("pause", 1, 4, 8);
      // No backlog: with the test workers' free slots every scheduled shard runs at once.
      spec.getParallelismBuilder().setMaxConcurrentShards(2).setQueuedShards(0);
      t.start(t.stub("pause"), spec.build());
      SelfLengthenRun run = t.running("pause");
      String measure = "pause/round-0/measure/";
      TestRun.eventually("two shards in flight", () -> t.log.started(measure) == 2);

      run.pause();
      TestRun.eventually("status says paused", () -> run.status().getPaused());
      t.log.gate.countDown();
      TestRun.eventually("the running shards finish", () -> t.log.completedUnder(measure) == 2);
      ScriptedInferenceActivities.sleep(500);
      assertEquals(2, t.log.started(measure), "no shard starts while paused");
      RunStatus paused = run.status();
      StageProgress p = paused.getStages(0);
      assertEquals("measure_seed", paused.getPhase());
      assertEquals(Stages.MEASURE, p.getName());
      assertEquals(StageState.STAGE_STATE_RUNNING, p.getState());
      assertEquals(4, p.getShardsTotal());
      assertEquals(2, p.getShardsDone());
      assertEquals(0, p.getShardsRunning());

      run.unpause();
      RunResult result = t.result("pause", RunResult.class);
      assertEquals(4, t.log.started(measure));
      assertEquals(8, result.getSeedHeldOutLengths().getCount());
    }
  }

  @Test
  void aParallelismUpdateChangesHowManyShardsRunAtOnce() {
    try (TestRun t = new TestRun()) {
      for (int i = 0; i < 8; i++) {
        t.log.behaviors.put("par/round-0/measure/shard-" + i, CallLog.Behavior.SLOW);
        t.log.behaviors.put("par/round-1/measure/shard-" + i, CallLog.Behavior.SLOW);
      }
      t.log.behaviors.put("par/round-1/self_instruct/shard-0", CallLog.Behavior.WAIT_FOR_GATE);
      var spec = TestRun.spec("par", 1, 4, 16);
      spec.getParallelismBuilder().setMaxConcurrentShards(1).setQueuedShards(0);
      t.start(t.stub("par"), spec.build());
      SelfLengthenRun run = t.running("par");
      TestRun.eventually("the first shard runs", () -> t.log.started("par/round-0/measure/") >= 1);
      assertEquals(1, t.log.maxInFlight("round-0/measure"));

      // The validator refuses values outside [1, 1024] before they reach the workflow.
      assertThrows(WorkflowUpdateException.class, () -> run.setParallelism(update(0)));
      assertThrows(WorkflowUpdateException.class, () -> run.setParallelism(update(2000)));
      assertEquals(4, run.setParallelism(update(4)));
      TestRun.eventually("round 1 is running", () -> t.log.started("par/round-1/self_instruct/") >= 1);
      assertEquals(4, t.log.maxInFlight("round-0/measure"), "the next starts used the new limit");

      // A change while a round runs is forwarded to the round's child workflow.
      assertEquals(2, run.setParallelism(update(2)));
      assertEquals(2, run.status().getMaxConcurrentShards());
      t.log.gate.countDown();
      t.result("par", RunResult.class);
      assertEquals(2, t.log.maxInFlight("round-1/measure"));
    }
  }

  @Test
  void queuedShardsAreScheduledAheadOfTheLimitAndNoneAfterAPause() {
    try (TestRun t = new TestRun()) {
      // 6 shards, limit 2, 1 queued ahead: 3 in flight (the test workers run all three at once).
      for (int i = 0; i < 3; i++) {
        t.log.behaviors.put("ahead/round-0/measure/shard-" + i, CallLog.Behavior.WAIT_FOR_GATE);
      }
      var spec = TestRun.spec("ahead", 1, 6, 12);
      spec.getParallelismBuilder().setMaxConcurrentShards(2).setQueuedShards(1);
      t.start(t.stub("ahead"), spec.build());
      SelfLengthenRun run = t.running("ahead");
      String measure = "ahead/round-0/measure/";
      TestRun.eventually("limit + queued shards in flight", () -> t.log.started(measure) == 3);
      ScriptedInferenceActivities.sleep(300);
      assertEquals(3, t.log.started(measure), "no more than limit + queued are scheduled");

      run.pause();
      TestRun.eventually("status says paused", () -> run.status().getPaused());
      t.log.gate.countDown();
      TestRun.eventually("the scheduled shards finish", () -> t.log.completedUnder(measure) == 3);
      ScriptedInferenceActivities.sleep(500);
      assertEquals(3, t.log.started(measure), "no shard is scheduled while paused");

      run.unpause();
      RunResult result = t.result("ahead", RunResult.class);
      assertEquals(6, t.log.started(measure));
      assertEquals(3, t.log.maxInFlight("round-0/measure"));
      assertEquals(12, result.getSeedHeldOutLengths().getCount());
    }
  }

  @Test
  void theStatusQueryShowsTheRoundsPerStageProgressWhileRunning() {
    try (TestRun t = new TestRun()) {
      t.log.behaviors.put("stat/round-1/respond/shard-0", CallLog.Behavior.WAIT_FOR_GATE);
      var spec = TestRun.spec("stat", 1, 6, 4);
      t.start(t.stub("stat"), spec.build());
      SelfLengthenRun run = t.running("stat");
      // Shards 1 and 2 finish at once; their progress reaches the run within the progress interval.
      TestRun.eventually(
          "respond shows 2 done, 1 running",
          () -> {
            Optional<StageProgress> r = stage(run.status(), Stages.RESPOND);
            return r.isPresent() && r.get().getShardsDone() == 2 && r.get().getShardsRunning() == 1;
          });
      RunStatus s = run.status();
      assertEquals("round", s.getPhase());
      assertEquals(1, s.getRound());
      assertEquals(1, s.getRoundsTotal());
      assertEquals(Stages.RESPOND, s.getStage());
      assertEquals(Stages.ROUND, s.getStagesList().stream().map(StageProgress::getName).toList());
      StageProgress si = stage(s, Stages.SELF_INSTRUCT).orElseThrow();
      assertEquals(StageState.STAGE_STATE_DONE, si.getState());
      assertEquals(3, si.getShardsDone());
      assertEquals(6, si.getSamples());
      assertEquals(40, si.getMeanWords());
      StageProgress respond = stage(s, Stages.RESPOND).orElseThrow();
      assertEquals(StageState.STAGE_STATE_RUNNING, respond.getState());
      assertEquals(3, respond.getShardsTotal());
      assertEquals(8, respond.getSamples());
      assertEquals(1200, respond.getMeanWords());
      assertTrue(respond.getElapsedMs() > 0);
      assertTrue(respond.getEtaMs() >= 0, "known once a shard is done");
      assertEquals(StageState.STAGE_STATE_PENDING, stage(s, Stages.DROP_SHORT).orElseThrow().getState());
      assertEquals(4, s.getSeedHeldOutLengths().getCount());

      t.log.gate.countDown();
      t.result("stat", RunResult.class);
      RunStatus done = run.status();
      assertEquals("done", done.getPhase());
      assertEquals(1, done.getRoundsCount());
    }
  }

  private static Optional<StageProgress> stage(RunStatus s, String name) {
    return s.getStagesList().stream().filter(p -> p.getName().equals(name)).findFirst();
  }

  private static ParallelismUpdate update(int n) {
    return ParallelismUpdate.newBuilder().setMaxConcurrentShards(n).build();
  }
}
