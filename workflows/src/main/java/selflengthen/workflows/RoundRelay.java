package selflengthen.workflows;

import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;
import selflengthen.v1.RoundCarry;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RoundSettings;

/**
 * The round's side of its link to the parent run, and what it hands to its own next execution.
 * Temporal workflows cannot query one another, so the round pushes small {@link RoundProgress}
 * messages to the parent (signal {@code roundProgress}) and the parent forwards pause and
 * parallelism (signal {@code settings}, applied to {@link FanOutSettings}). None of this is a step
 * of the method; {@link RoundLink} is the run's side.
 */
final class RoundRelay {
  private static final Logger log = Workflow.getLogger(RoundRelay.class);

  private final RoundInput input;
  private final FanOutSettings settings;
  private final StageBoard board;
  private long sentSeq;
  private long lastSentAt = Long.MIN_VALUE / 2;
  private boolean closing;
  private boolean signalInFlight;

  RoundRelay(RoundInput input, FanOutSettings settings, StageBoard board) {
    this.input = input;
    this.settings = settings;
    this.board = board;
    this.sentSeq = input.getCarry().getProgressSeq();
  }

  /** Starts pushing progress to the parent (a round started by hand has none). */
  void start() {
    if (hasParent()) {
      Async.procedure(this::pumpProgress);
    }
  }

  /** The {@code settings} signal: a forwarded copy, applied when newer. */
  void settings(RoundSettings update) {
    settings.apply(update);
  }

  /** The {@code status} query, and what the pump sends. */
  RoundProgress progress() {
    return RoundProgress.newBuilder()
        .setRound(input.getRound())
        .setStage(board.current())
        .addAllStages(board.snapshot())
        .setSeq(board.seq())
        .build();
  }

  /**
   * Before the round fails: lets the parent see the board as it is now (the failed stage), waiting
   * at most 10 s for the pump.
   */
  void flush() {
    if (hasParent()) {
      Workflow.await(Duration.ofSeconds(10), () -> sentSeq >= board.seq() && !signalInFlight);
    }
  }

  /**
   * The parent learns the end from the result (or the next execution resumes the pump); waiting for
   * the last signal's acknowledgement keeps it from racing the completion.
   */
  void stop() {
    closing = true;
    Workflow.await(() -> !signalInFlight);
  }

  /**
   * The next execution's input: what is finished ({@code result}, in the carry), the board and the
   * settings as they are now.
   */
  RoundInput next(RoundCarry.Builder carry, RoundResult.Builder result) {
    return input.toBuilder()
        .setSettings(settings.toMessage())
        .setCarry(
            carry
                .setResult(result)
                .clearProgress()
                .addAllProgress(board.snapshot())
                .setProgressSeq(board.seq()))
        .build();
  }

  private boolean hasParent() {
    return !input.getParentWorkflowId().isEmpty();
  }

  /**
   * Sends progress to the parent run: at once on a change of stage state, otherwise at most once per
   * progress interval (each signal is a history event on both sides).
   */
  private void pumpProgress() {
    SelfLengthenRun parent =
        Workflow.newExternalWorkflowStub(SelfLengthenRun.class, input.getParentWorkflowId());
    long interval = input.getProgressIntervalMs();
    while (true) {
      Workflow.await(() -> closing || board.seq() > sentSeq);
      long wait = lastSentAt + interval - Workflow.currentTimeMillis();
      if (!closing && board.urgentSeq() <= sentSeq && wait > 0) {
        // One timer per interval at most, so a change is never held back longer than the interval.
        Workflow.await(Duration.ofMillis(wait), () -> closing || board.urgentSeq() > sentSeq);
      }
      if (closing) {
        return;
      }
      RoundProgress p = progress();
      sentSeq = p.getSeq();
      lastSentAt = Workflow.currentTimeMillis();
      signalInFlight = true;
      try {
        parent.roundProgress(p);
      } catch (RuntimeException e) {
        // Progress is advisory; a parent that is gone must not fail the round.
        log.warn(
            "round {} could not signal progress to {}: {}",
            input.getRound(),
            input.getParentWorkflowId(),
            e.getMessage());
      } finally {
        signalInFlight = false;
      }
    }
  }
}
