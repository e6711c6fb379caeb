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
import selflengthen.method.SelfInstructBatches;
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
 * the same batch draw from. Here a batch is a set of shards ({@link SelfInstructBatches}). A shard's pool is the seeds plus every
 * instruction the earlier shards of its batch (lower index) committed; it waits for them to finish,
 * so the pool, and with it every sample, is the same on a retry, on another worker, after a resume.
 * All units of one shard draw from that one snapshot, as the reference's concurrent threads drew
 * from the pool as it stood when each began.
 */
final class SelfInstructPool {
  private SelfInstructPool() {}

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
    int shards = SelfInstructBatches.shardCount(requested(spec, c.getStage()), shardSize);
    int batches = SelfInstructBatches.batches(shards, shardSize, si.getBatchSize());
    // The workflow starts a shard only after the earlier ones of its batch; waiting here as well
    // keeps the pool exact whoever starts the shard.
    for (int j : SelfInstructBatches.earlierInBatch(task.getShard().getIndex(), batches)) {
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
