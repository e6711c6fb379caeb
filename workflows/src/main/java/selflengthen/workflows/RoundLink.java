package selflengthen.workflows;

import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import selflengthen.activities.CallIds;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;

/**
 * The run's side of its link to the running round child ({@link RoundRelay} is the round's): starts
 * the child, forwards pause and parallelism changes to it (signal {@code settings}), and keeps the
 * progress it pushes (signal {@code roundProgress}) for the run's {@code status} query. None of
 * this is a step of the method.
 */
final class RoundLink {
  private static final Logger log = Workflow.getLogger(RoundLink.class);

  private final String runId;
  private final FanOutSettings settings;
  private int round;
  private RoundProgress progress;
  private long progressReceivedAt;
  private String childId;
  private long forwardedVersion;

  RoundLink(String runId, FanOutSettings settings) {
    this.runId = runId;
    this.settings = settings;
  }

  /** Starts forwarding settings changes to whichever round is running. */
  void start() {
    Async.procedure(this::forwardSettings);
  }

  /** The round status shows; progress of an earlier round no longer applies. */
  int round() {
    return round;
  }

  void showRound(int k) {
    round = k;
  }

  /**
   * Runs round {@code k} as the child {@code <run_id>/round-<k>} with {@code in} (the method's
   * inputs; the link adds its own) and returns its result. A failed round fails the run, naming the
   * round and the root cause.
   */
  RoundResult run(int k, RoundInput.Builder in) {
    round = k;
    progress = null;
    String id = CallIds.round(runId, k);
    SelfLengthenRound child =
        Workflow.newChildWorkflowStub(
            SelfLengthenRound.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(TaskQueues.CONTROL)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .build());
    in.setSettings(settings.toMessage())
        .setParentWorkflowId(Workflow.getInfo().getWorkflowId())
        .setProgressIntervalMs(SelfLengthenRunImpl.PROGRESS_INTERVAL_MS)
        .setHistoryLimit(SelfLengthenRunImpl.ROUND_HISTORY_LIMIT);
    forwardedVersion = in.getSettings().getVersion();
    Promise<RoundResult> done = Async.function(child::run, in.build());
    try {
      Workflow.getWorkflowExecution(child).get();
      childId = id;
      return done.get();
    } catch (ChildWorkflowFailure f) {
      throw ApplicationFailure.newNonRetryableFailureWithCause(
          "round " + k + " failed: " + Failures.rootMessage(f), "RoundFailed", f);
    } finally {
      childId = null;
    }
  }

  /** The {@code roundProgress} signal: kept when it is the running round's and newer. */
  void received(RoundProgress p) {
    if (p.getRound() != round
        || (progress != null && progress.getRound() == round && p.getSeq() <= progress.getSeq())) {
      return;
    }
    progress = p;
    progressReceivedAt = Workflow.currentTimeMillis();
  }

  /** Adds the running round's stage and stages to the run's status, when it has reported. */
  void describe(RunStatus.Builder s) {
    if (progress != null && progress.getRound() == round) {
      s.setStage(progress.getStage()).addAllStages(aged(progress.getStagesList()));
    }
  }

  /** Running stages' elapsed time and ETA moved on by the time since the round reported them. */
  private List<StageProgress> aged(List<StageProgress> stages) {
    long age = Math.max(0, Workflow.currentTimeMillis() - progressReceivedAt);
    List<StageProgress> out = new ArrayList<>(stages.size());
    for (StageProgress p : stages) {
      if (p.getState() != StageState.STAGE_STATE_RUNNING) {
        out.add(p);
        continue;
      }
      StageProgress.Builder b = p.toBuilder().setElapsedMs(p.getElapsedMs() + age);
      if (p.getEtaMs() >= 0) {
        b.setEtaMs(Math.max(0, p.getEtaMs() - age));
      }
      out.add(b.build());
    }
    return out;
  }

  /** Forwards pause and parallelism changes to the running round, newest last. */
  private void forwardSettings() {
    while (true) {
      Workflow.await(() -> childId != null && settings.version() > forwardedVersion);
      String target = childId;
      forwardedVersion = settings.version();
      try {
        Workflow.newExternalWorkflowStub(SelfLengthenRound.class, target)
            .settings(settings.toMessage());
      } catch (RuntimeException e) {
        // The round may have just finished; the next round starts with the current settings.
        log.warn("could not forward settings to {}: {}", target, e.getMessage());
      }
    }
  }
}
