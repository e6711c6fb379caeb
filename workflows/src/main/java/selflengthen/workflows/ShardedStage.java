package selflengthen.workflows;

import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * Runs a stage's shards as activities in a sliding window (workflow code).
 *
 * <ul>
 *   <li>At most {@link FanOutSettings#inFlight} shards are in flight (scheduled: queued or
 *       running): the limit plus {@code queued} ahead of it, so a slot that frees finds its next
 *       shard in the task queue instead of waiting for this workflow to react to the completion.
 *       The bound is read before every start, so a parallelism update applies to the next starts.
 *   <li>While paused no shard is scheduled; scheduled ones (running or queued) finish.
 *   <li>Straggler cut: once {@link #needed} shards are done, the running ones are cancelled (each
 *       runs in its own cancellation scope; the activity is abandoned, see
 *       {@link ActivityOptionsFactory#inference()}) and the rest never start. Both count as cancelled
 *       and only finished shards are returned, so their partial files never reach a merge.
 *   <li>A shard that fails for good (retries exhausted, non-retryable) cancels the others and fails
 *       the stage with its failure.
 * </ul>
 */
final class ShardedStage {
  /** What the stage produced: finished shards in index order. */
  record Outcome(List<ShardSummary> finished, int cancelled, int total) {}

  private final String stage;
  private final FanOutSettings settings;
  private final StageBoard board;
  private final double stragglerFraction;
  private final int queued;
  private final int chain;

  /**
   * @param queued shards scheduled ahead of the limit ({@link FanOutSettings#inFlight}); 0 for
   *     executions recorded before the backlog existed
   */
  ShardedStage(
      String stage, FanOutSettings settings, StageBoard board, double stragglerFraction, int queued) {
    this(stage, settings, board, stragglerFraction, queued, 0);
  }

  /**
   * @param chain when above 0, shard {@code i >= chain} starts only after shard {@code i - chain}
   *     has finished (self-instruct's batches: a shard draws from what the earlier shards of its
   *     batch accepted), and the lowest-index startable shard goes first
   */
  ShardedStage(
      String stage, FanOutSettings settings, StageBoard board, double stragglerFraction, int queued, int chain) {
    this.stage = stage;
    this.settings = settings;
    this.board = board;
    this.stragglerFraction = stragglerFraction;
    this.queued = queued;
    this.chain = chain;
  }

  /** The next shard to start: {@code next} without a chain, else the lowest startable one; -1: none. */
  private int nextStartable(boolean[] started, int next, java.util.Map<Integer, ShardSummary> finished) {
    if (chain <= 0) {
      return next < started.length ? next : -1;
    }
    for (int i = 0; i < started.length; i++) {
      if (!started[i] && (i < chain || finished.containsKey(i - chain))) {
        return i;
      }
    }
    return -1;
  }

  /** Shards that must finish: ceil(fraction * total), at least 1 of a non-empty stage. */
  static int needed(int total, double fraction) {
    if (total == 0) {
      return 0;
    }
    double f = fraction > 0 && fraction <= 1 ? fraction : 1.0;
    // The epsilon keeps 0.95 * 20 = 19.000000000000004 from rounding up to 20.
    int n = (int) Math.ceil(f * total - 1e-9);
    return Math.min(total, Math.max(1, n));
  }

  Outcome run(List<ShardTask> tasks, Function<ShardTask, Promise<ShardSummary>> start) {
    int total = tasks.size();
    int needed = needed(total, stragglerFraction);
    board.planned(stage, total, needed);
    TreeMap<Integer, CancellationScope> running = new TreeMap<>();
    TreeMap<Integer, ShardSummary> finished = new TreeMap<>();
    List<RuntimeException> failures = new ArrayList<>(1);
    boolean[] closed = {false};
    int next = 0;
    boolean[] started = new boolean[total];
    while (finished.size() < needed && failures.isEmpty()) {
      while (next < total && !settings.paused() && running.size() < settings.inFlight(queued)) {
        int index = nextStartable(started, next, finished);
        if (index < 0) {
          break; // every unstarted shard waits for an earlier one of its batch
        }
        started[index] = true;
        next++;
        ShardTask task = tasks.get(index);
        CancellationScope scope =
            Workflow.newCancellationScope(
                () ->
                    start
                        .apply(task)
                        .handle(
                            (summary, failure) -> {
                              if (closed[0]) {
                                return null; // cut or failed stage: late outcomes are ignored
                              }
                              running.remove(index);
                              if (failure == null) {
                                finished.put(index, summary);
                                board.shardFinished(stage, summary);
                              } else {
                                board.shardFailed(stage);
                                failures.add(failure);
                              }
                              return null;
                            }));
        running.put(index, scope);
        scope.run();
        board.shardStarted(stage);
      }
      int doneBefore = finished.size();
      int startedBefore = next;
      boolean blocked = chain > 0 && nextStartable(started, next, finished) < 0;
      Workflow.await(
          () ->
              finished.size() != doneBefore
                  || !failures.isEmpty()
                  || (!blocked && startedBefore < total && !settings.paused()
                      && running.size() < settings.inFlight(queued)));
    }
    closed[0] = true;
    for (CancellationScope scope : running.values()) {
      scope.cancel();
    }
    int cancelled = running.size() + (total - next);
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
    board.shardsCancelled(stage, cancelled);
    return new Outcome(new ArrayList<>(finished.values()), cancelled, total);
  }
}
