package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import io.temporal.testing.WorkflowReplayer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.activities.Stages;
import selflengthen.v1.DpoWhen;
import selflengthen.v1.GenerationMode;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;

/**
 * The preference steps in the round: AgentWrite respond, preference sets, DPO (spec options). The
 * first run's round histories replay with the current code; with -Dselflengthen.recordHistories=vN
 * they are also written to src/test/resources/preference-histories/vN for {@link ReplayTest}.
 */
@Tag("integration")
class PreferenceFlowTest {
  static List<String> expected(boolean dpo) {
    List<String> order = new ArrayList<>(List.of(Stages.SELF_INSTRUCT, Stages.RESPOND, Stages.DROP_SHORT,
        Stages.EXTEND, Stages.PREFERENCE, Stages.DROP_SHORT_EXTENDED, Stages.TRAINING_SETS,
        Stages.TRAIN_GENERATOR, Stages.TRAIN_EXTENDER));
    if (dpo) {
      order.add(Stages.TRAIN_DPO);
    }
    order.add(Stages.MEASURE);
    return order;
  }

  @Test
  void dpoEachRoundAfterSftWithAgentWriteResponses() throws Exception {
    try (TestRun t = new TestRun()) {
      RunSpec.Builder b = TestRun.spec("pref", 2, 6, 4);
      b.getCollectBuilder().setEnabled(false);
      b.getLengthControlBuilder().setEnabled(false);
      b.getTrainingBuilder().setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)
          .getDpoBuilder().setWhen(DpoWhen.DPO_WHEN_EACH_ROUND);
      b.getGenerationBuilder().setMode(GenerationMode.GENERATION_MODE_AGENTWRITE);
      t.start(t.stub("pref"), b.build());
      RunResult result = t.result("pref", RunResult.class);
      for (int k = 1; k <= 2; k++) {
        assertEquals(expected(true), RunFlowTest.stageOrder(t.log, "pref/round-" + k + "/"), "round " + k);
        for (CallLog.Call c : t.log.callsUnder("pref/round-" + k + "/respond/shard-")) {
          assertEquals("AgentWriteShard", c.activityType(), c.callId());
        }
        RoundResult r = result.getRounds(k - 1);
        assertEquals("runs/pref/round-" + k + "/train_dpo/adapter", r.getGeneratorTraining().getAdapter().getPath(),
            "the DPO adapter is the round's Generator");
        assertEquals(3, r.getDpoTraining().getSteps());
        assertEquals("runs/pref/round-" + k + "/preference/pairs.jsonl", r.getPreferencePairs().getPath());
      }
      var dpo1 = t.preference.dpoTasks.stream().filter(d -> d.getContext().getRound() == 1).findFirst().orElseThrow();
      assertEquals("runs/pref/round-1/train_generator/adapter", dpo1.getSftAdapter().getPath());
      assertEquals(List.of("runs/pref/round-1/preference/pairs.jsonl"),
          dpo1.getPairsList().stream().map(p -> p.getPath()).toList());
      // Round 2's Generator SFT continues from round 1's DPO adapter.
      var train2 = t.log.trainTasks.stream()
          .filter(x -> x.getContext().getRound() == 2 && x.getRole().equals("generator")).findFirst().orElseThrow();
      assertEquals("runs/pref/round-1/train_dpo/adapter", train2.getPrevious().getPath());
      List<io.temporal.common.WorkflowExecutionHistory> rounds = List.of(
          t.client.fetchHistory("pref/round-1"), t.client.fetchHistory("pref/round-2"));
      var replayed = WorkflowReplayer.replayWorkflowExecutions(
          rounds, false, WorkflowImplementations.ALL.toArray(new Class<?>[0]));
      assertTrue(!replayed.hadAnyError(), replayed.allErrors().toString());
      String version = System.getProperty(RunFlowTest.RECORD);
      if (version != null) {
        Path dir = Path.of("src/test/resources/preference-histories", version);
        Files.createDirectories(dir);
        for (int k = 1; k <= 2; k++) {
          Files.writeString(dir.resolve("round-" + k + ".json"), rounds.get(k - 1).toJson(true));
        }
      }
    }
  }

  @Test
  void dpoOnceAfterTheLastRoundOnEveryRoundsPairs() {
    try (TestRun t = new TestRun()) {
      RunSpec.Builder b = TestRun.spec("last", 2, 6, 4);
      b.getCollectBuilder().setEnabled(false);
      b.getLengthControlBuilder().setEnabled(false);
      b.getTrainingBuilder().setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)
          .getDpoBuilder().setWhen(DpoWhen.DPO_WHEN_LAST_ROUND);
      t.start(t.stub("last"), b.build());
      t.result("last", RunResult.class);
      assertEquals(expected(false), RunFlowTest.stageOrder(t.log, "last/round-1/"));
      assertEquals(expected(true), RunFlowTest.stageOrder(t.log, "last/round-2/"));
      assertTrue(t.log.callsUnder("last/round-1/respond/shard-").stream()
          .allMatch(c -> c.activityType().equals("RespondShard")));
      assertEquals(1, t.preference.dpoTasks.size());
      assertEquals(List.of("runs/last/round-1/preference/pairs.jsonl", "runs/last/round-2/preference/pairs.jsonl"),
          t.preference.dpoTasks.get(0).getPairsList().stream().map(p -> p.getPath()).toList());
    }
  }
}
