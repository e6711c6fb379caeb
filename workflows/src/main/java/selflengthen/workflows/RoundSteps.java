package selflengthen.workflows;

import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.util.List;
import java.util.function.Supplier;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundResult;
import selflengthen.v1.StageResult;

/**
 * What happens around every step of a round, so the round itself lists only the steps: a step
 * whose stages are already in the result (carried across continue-as-new) is skipped; before a
 * step, the round continues-as-new when its history has grown long, then waits while paused.
 *
 * <p>Continue-as-new happens only here, at a step boundary (same workflow id; the parent keeps
 * waiting for the final result), once the history passes {@code history_limit} or the server
 * suggests it. The next execution gets the finished stages and starts at the first one missing.
 */
final class RoundSteps {
  private final long historyLimit;
  private final FanOutSettings settings;
  private final RoundRelay relay;
  private final RoundResult.Builder result;
  private final Supplier<RoundInput> next;
  private int stepsThisExecution;

  /**
   * @param result the round's result so far: a step is finished when its stages are in it
   * @param next the input of the next execution, built when the round continues-as-new
   */
  RoundSteps(
      long historyLimit,
      FanOutSettings settings,
      RoundRelay relay,
      RoundResult.Builder result,
      Supplier<RoundInput> next) {
    this.historyLimit = historyLimit;
    this.settings = settings;
    this.relay = relay;
    this.result = result;
    this.next = next;
  }

  /** Runs the step of {@code stage} unless it is finished. */
  void run(String stage, Runnable step) {
    run(List.of(stage), step);
  }

  /** Runs a step that produces several stages at once unless all of them are finished. */
  void run(List<String> stages, Runnable step) {
    if (stages.stream().allMatch(this::finished)) {
      return;
    }
    continueAsNewIfLong();
    Workflow.await(() -> !settings.paused());
    stepsThisExecution++;
    step.run();
  }

  boolean finished(String stage) {
    return result.getStagesList().stream().anyMatch(s -> s.getName().equals(stage));
  }

  /** The output of a finished stage (this execution's or a carried one). */
  DatasetRef output(String stage) {
    return result.getStagesList().stream()
        .filter(s -> s.getName().equals(stage))
        .findFirst()
        .map(StageResult::getOutput)
        .orElseThrow(() -> new IllegalStateException("stage " + stage + " has not run"));
  }

  /** Keeps every execution's history bounded: continue at a step boundary with what is done. */
  private void continueAsNewIfLong() {
    WorkflowInfo info = Workflow.getInfo();
    boolean tooLong =
        info.isContinueAsNewSuggested()
            || (historyLimit > 0 && info.getHistoryLength() >= historyLimit);
    // At least one step per execution, or a tiny limit would continue-as-new forever.
    if (!tooLong || stepsThisExecution == 0) {
      return;
    }
    relay.stop();
    Workflow.await(Workflow::isEveryHandlerFinished);
    Workflow.continueAsNew(next.get());
  }
}
