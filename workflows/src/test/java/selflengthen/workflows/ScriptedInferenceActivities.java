package selflengthen.workflows;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.TimeUnit;
import selflengthen.activities.InferenceActivities;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * Inference double: writes nothing, returns a summary as if every requested row was made, with
 * lengths that grow round by round. Scripted per call id by {@link CallLog#behaviors}.
 */
final class ScriptedInferenceActivities implements InferenceActivities {
  private final CallLog log;

  ScriptedInferenceActivities(CallLog log) {
    this.log = log;
  }

  @Override
  public ShardSummary selfInstructShard(ShardTask task) {
    return shard(task, 1, 40, 1);
  }

  @Override
  public ShardSummary respondShard(ShardTask task) {
    return shard(task, 2, 800 + 400 * task.getContext().getRound(), 1);
  }

  /** Half the extension attempts succeed: 2 attempts per row, 1 accepted. */
  @Override
  public ShardSummary extendShard(ShardTask task) {
    return shard(task, 1, 1500 + 700 * task.getContext().getRound(), 2);
  }

  @Override
  public ShardSummary measureShard(ShardTask task) {
    return shard(task, 1, 500 + 600 * task.getContext().getRound(), 1);
  }

  @Override
  public ShardSummary lengthRewriteShard(ShardTask task) {
    return shard(task, 1, 3000, 1);
  }

  private ShardSummary shard(ShardTask task, int perRow, double words, int attemptsPerRow) {
    String id = task.getContext().getCallId();
    log.shardContexts.add(task.getContext());
    log.record("shard", id);
    String group = Refs.group(id);
    log.enter(group);
    try {
      if (!behave(id, task)) {
        return ShardSummary.newBuilder().setIndex(task.getShard().getIndex()).build();
      }
      long in = task.getShard().getRowCount();
      long out = in * perRow;
      log.completed.add(id);
      return ShardSummary.newBuilder()
          .setIndex(task.getShard().getIndex())
          .setOutput(Refs.dataset(task.getOutputPath(), out))
          .setSamplesIn(in)
          .setSamplesOut(out)
          .setLengths(Refs.lengths(out, words))
          .setAttempts(out * attemptsPerRow)
          .setAccepted(out)
          .build();
    } finally {
      log.exit(group);
    }
  }

  /** Returns false when the shard stopped early (cut). */
  private boolean behave(String id, ShardTask task) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    switch (log.behavior(id)) {
      case NORMAL -> {}
      case SLOW -> sleep(CallLog.SLOW_MS);
      case FAIL_FIRST_ATTEMPT -> {
        if (ctx.getInfo().getAttempt() == 1) {
          throw ApplicationFailure.newFailure("scripted transient failure of " + id, "Transient");
        }
      }
      case WAIT_FOR_GATE -> {
        while (!await()) {
          ctx.heartbeat(null);
        }
      }
      case BLOCK_UNTIL_CUT -> {
        // The manifest check of the real activities: the stage's merge exists -> stop.
        String stage = id.substring(0, id.lastIndexOf("/shard-"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
          if (log.merges.containsKey(stage)) {
            log.cut.add(id);
            return false;
          }
          ctx.heartbeat(null);
          sleep(20);
        }
        throw ApplicationFailure.newNonRetryableFailure("never cut: " + id, "TestTimeout");
      }
    }
    return true;
  }

  private boolean await() {
    try {
      return log.gate.await(20, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
