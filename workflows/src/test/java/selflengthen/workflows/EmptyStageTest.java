package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowFailedException;
import org.junit.jupiter.api.Test;
import selflengthen.activities.Stages;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;

/** A stage that produces nothing stops the run there, naming it; status still shows the stages. */
class EmptyStageTest {
  @Test
  void aDropShortThatKeepsNothingFailsTheRunThereNamingTheStageAndCounts() {
    try (TestRun t = new TestRun()) {
      t.control.keepNothing.add(Stages.DROP_SHORT);
      t.start(t.stub("empty"), TestRun.spec("empty", 1, 6, 4).build());
      WorkflowFailedException e =
          assertThrows(WorkflowFailedException.class, () -> t.result("empty", RunResult.class));
      String message = Failures.rootMessage(e);
      assertTrue(message.contains("round 1: drop_short kept 0 of 12 answers"), message);
      assertTrue(message.contains("see runs/empty/round-1/drop_short"), message);
      assertEquals(0, t.log.started("empty/round-1/extend/"), "no later stage ran");

      RunStatus status = t.running("empty").status();
      assertEquals("failed", status.getPhase());
      StageProgress dropShort = status.getStagesList().stream()
          .filter(s -> s.getName().equals(Stages.DROP_SHORT)).findFirst().orElseThrow();
      assertEquals(StageState.STAGE_STATE_FAILED, dropShort.getState(), status.toString());
      assertTrue(status.getStagesList().stream().anyMatch(
          s -> s.getName().equals(Stages.RESPOND) && s.getState() == StageState.STAGE_STATE_DONE), status.toString());
    }
  }

  @Test
  void aCancelledRunSaysCancelledAndKeepsItsStages() {
    try (TestRun t = new TestRun()) {
      t.log.behaviors.put("cancel/round-1/respond/shard-0", CallLog.Behavior.WAIT_FOR_GATE);
      t.start(t.stub("cancel"), TestRun.spec("cancel", 1, 6, 4).build());
      TestRun.eventually("respond runs", () -> t.log.started("cancel/round-1/respond/") > 0);
      io.temporal.client.WorkflowStub.fromTyped(t.running("cancel")).cancel();
      assertThrows(Exception.class, () -> t.result("cancel", RunResult.class));
      RunStatus status = t.running("cancel").status();
      assertEquals("cancelled", status.getPhase());
      assertTrue(status.getStagesList().stream().anyMatch(
          s -> s.getName().equals(Stages.SELF_INSTRUCT) && s.getState() == StageState.STAGE_STATE_DONE), status.toString());
    }
  }
}
