package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.RecordedResults;
import selflengthen.store.DataStore;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * The few-shot pool of one self-instruct shard.
 *
 * <p>The reference works in batches of {@code batch_size} (500) requested instructions; each batch
 * starts from the seeds, and its threads append what they accept to the pool the later requests of
 * the same batch draw from. Here a batch is a set of shards: with {@code p = ceil(batch_size /
 * shard_size)} shards per batch and {@code B = ceil(shards / p)} batches, shard {@code i} belongs to
 * batch {@code i mod B} (interleaved, so the first shards a stage starts are the first shards of
 * different batches and never wait on each other). A shard's pool is the seeds plus every
 * instruction the earlier shards of its batch (lower index) committed; it waits for them to finish,
 * so the pool, and with it every sample, is the same on a retry, on another worker, after a resume.
 * All units of one shard draw from that one snapshot, as the reference's concurrent threads drew
 * from the pool as it stood when each began.
 */
final class SelfInstructPool {
  private SelfInstructPool() {}

  /** Shards of a self-instruct stage of {@code rows} requested instructions. */
  static int shardCount(long rows, int shardSize) {
    return (int) Math.max(1, (rows + Math.max(1, shardSize) - 1) / Math.max(1, shardSize));
  }

  /** Number of batches the shards are dealt to. */
  static int batches(int shards, int shardSize, int batchSize) {
    int perBatch = Math.max(1, (batchSize + Math.max(1, shardSize) - 1) / Math.max(1, shardSize));
    return Math.max(1, (shards + perBatch - 1) / perBatch);
  }

  /** The earlier shards of shard {@code index}'s batch, in plan order. */
  static List<Integer> earlierInBatch(int index, int batches) {
    List<Integer> out = new ArrayList<>();
    for (int j = index % batches; j < index; j += batches) {
      out.add(j);
    }
    return out;
  }

  /** Requested instructions of the stage a task belongs to. */
  static long requested(RunSpec spec, String stage) {
    return stage.equals(Stages.COLLECT_SELF_INSTRUCT)
        ? spec.getCollect().getTotalCount()
        : spec.getSelfInstruct().getInstructionsPerRound();
  }

  /**
   * The pool of a shard. {@code pool_across_rounds}: the task's input (the pool carried from earlier
   * rounds). Otherwise the run's seed pool, plus, unless {@code seeds_only}, what the earlier shards
   * of the batch accepted (waiting for them, heartbeating).
   */
  static List<String> of(Shard shard, Duration poll) {
    RunSpec spec = shard.spec();
    SelfInstruct si = spec.getSelfInstruct();
    DataStore store = shard.store();
    if (si.getPoolAcrossRounds()) {
      return InferenceActivitiesImpl.instructions(store, shard.ref().getInput(), 0, Long.MAX_VALUE);
    }
    String seedPath = RunPaths.seedPool(spec.getRunId());
    Datasets.require(store, seedPath);
    List<String> pool = new ArrayList<>(
        InferenceActivitiesImpl.instructions(store, DatasetRef.newBuilder().setPath(seedPath).build(), 0, Long.MAX_VALUE));
    if (si.getSeedsOnly()) {
      return pool;
    }
    ShardTask task = shard.task();
    var c = task.getContext();
    int shardSize = spec.getParallelism().getShardSize();
    int shards = shardCount(requested(spec, c.getStage()), shardSize);
    int batches = batches(shards, shardSize, si.getBatchSize());
    for (int j : earlierInBatch(task.getShard().getIndex(), batches)) {
      String path = RunPaths.shardOutput(spec.getRunId(), c.getRound(), c.getStage(), j);
      shard.runner().heartbeating(() -> awaitShard(shard, path, poll));
      for (JsonNode row : store.readJsonl(path)) {
        String instruction = row.path("instruction").asText("");
        if (!instruction.isEmpty()) {
          pool.add(instruction);
        }
      }
    }
    return pool;
  }

  private static Void awaitShard(Shard shard, String path, Duration poll) {
    while (RecordedResults.completed(shard.store(), path, ShardSummary.getDefaultInstance()).isEmpty()) {
      if (shard.runner().stageEnded()) {
        throw ActivityErrors.abandoned(shard.task().getContext().getCallId(), shard.runner().stageOutput());
      }
      try {
        Thread.sleep(Math.max(50, poll.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for " + path, e);
      }
    }
    return null;
  }
}
