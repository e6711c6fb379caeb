package selflengthen.workflows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.ReplayResults;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import selflengthen.activities.ControlActivities;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RoundSettings;

/**
 * Replays recorded histories of a full two-round run (the run's three executions and both round
 * children) with the current workflow code, one folder per recorded code version
 * (histories/v1, v2, ...). A change that would break runs already in flight fails here: guard it
 * with {@code Workflow.getVersion} (see {@link Versions}). After a deliberate, compatible change,
 * record the next version with
 * {@code mvn -B -q -pl workflows -am verify -Dtest=RunFlowTest -Dsurefire.failIfNoSpecifiedTests=false -Dselflengthen.recordHistories=vN}
 * (run in workflows/ through the reactor; it writes workflows/src/test/resources/histories/vN) and
 * commit the JSON next to the older versions.
 */
class ReplayTest {

  @Test
  void recordedHistoriesOfEveryVersionReplayWithTheCurrentCode() throws Exception {
    List<Path> versions = versions();
    assertTrue(versions.size() >= 2, "histories of older code and of the current code: " + versions);
    for (Path version : versions) {
      replay(version);
    }
  }

  private static void replay(Path version) throws Exception {
    List<Path> files = histories(version);
    assertEquals(5, files.size(), "3 run executions + 2 rounds: " + files);
    List<WorkflowExecutionHistory> recorded = new ArrayList<>();
    for (Path f : files) {
      recorded.add(WorkflowExecutionHistory.fromJson(Files.readString(f), f.getFileName().toString()));
    }
    // One replay worker with every implementation; each history picks its type.
    ReplayResults results =
        WorkflowReplayer.replayWorkflowExecutions(
            recorded, false, WorkflowImplementations.ALL.toArray(new Class<?>[0]));
    assertFalse(results.hadAnyError(), () -> version.getFileName() + ": " + results.allErrors());
  }

  /**
   * Rounds recorded with the preference steps on (AgentWrite respond, preference sets, DPO each
   * round; PreferenceFlowTest records them) replay with the current code.
   */
  @Test
  void recordedRoundsWithThePreferenceStepsReplay() throws Exception {
    Path dir = Path.of(ReplayTest.class.getResource("/preference-histories").toURI());
    List<Path> versions;
    try (Stream<Path> s = Files.list(dir)) {
      versions = s.filter(Files::isDirectory).sorted().toList();
    }
    assertFalse(versions.isEmpty());
    for (Path version : versions) {
      List<WorkflowExecutionHistory> recorded = new ArrayList<>();
      for (Path f : histories(version)) {
        recorded.add(WorkflowExecutionHistory.fromJson(Files.readString(f), f.getFileName().toString()));
      }
      assertEquals(2, recorded.size(), version.toString());
      ReplayResults results =
          WorkflowReplayer.replayWorkflowExecutions(
              recorded, false, WorkflowImplementations.ALL.toArray(new Class<?>[0]));
      assertFalse(results.hadAnyError(), () -> version.getFileName() + ": " + results.allErrors());
    }
  }

  /** The check can fail: a round that runs its steps differently does not replay. */
  @Test
  void aChangedStageSequenceIsCaught() throws Exception {
    List<WorkflowExecutionHistory> rounds = new ArrayList<>();
    for (Path f : histories(versions().get(0))) {
      if (f.getFileName().toString().startsWith("round-")) {
        rounds.add(WorkflowExecutionHistory.fromJson(Files.readString(f)));
      }
    }
    ReplayResults results =
        WorkflowReplayer.replayWorkflowExecutions(rounds, false, DropShortFirstRound.class);
    assertEquals(2, results.allErrors().size());
    for (ReplayResults.ReplayError error : results.allErrors()) {
      assertTrue(error.exception.getMessage().contains(NonDeterministicException.class.getName()), error.exception.toString());
    }
  }

  /** The recorded versions, oldest first. */
  static List<Path> versions() throws IOException, URISyntaxException {
    Path dir = Path.of(ReplayTest.class.getResource("/histories").toURI());
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .sorted(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(1))))
          .toList();
    }
  }

  static List<Path> histories(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** A round whose first step is drop-short: incompatible with every recorded round. */
  public static class DropShortFirstRound implements SelfLengthenRound {
    @Override
    public RoundResult run(RoundInput input) {
      Workflow.newActivityStub(
              ControlActivities.class,
              ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build())
          .dropShort(DropShortTask.getDefaultInstance());
      return RoundResult.getDefaultInstance();
    }

    @Override
    public void settings(RoundSettings settings) {}

    @Override
    public RoundProgress status() {
      return RoundProgress.getDefaultInstance();
    }
  }
}
