package selflengthen.method;

import java.util.ArrayList;
import java.util.List;

/**
 * How a self-instruct stage's shards are dealt to the reference's batches of {@code batch_size}
 * requests: {@code p = ceil(batch_size / shard_size)} shards per batch, {@code B = ceil(shards / p)}
 * batches, shard {@code i} in batch {@code i mod B} (interleaved, so the first {@code B} shards are
 * the first of each batch and start together). Shard {@code i} draws from the seeds plus what the
 * earlier shards of its batch accepted, so it starts once shard {@code i - B} has finished. Pure:
 * the workflow schedules by it and the activity reads its pool by it.
 */
public final class SelfInstructBatches {
  private SelfInstructBatches() {}

  /** Shards of a stage of {@code rows} requested instructions. */
  public static int shardCount(long rows, int shardSize) {
    int size = Math.max(1, shardSize);
    return (int) Math.max(1, (rows + size - 1) / size);
  }

  /** Number of batches the shards are dealt to. */
  public static int batches(int shards, int shardSize, int batchSize) {
    int size = Math.max(1, shardSize);
    int perBatch = Math.max(1, (Math.max(1, batchSize) + size - 1) / size);
    return Math.max(1, (shards + perBatch - 1) / perBatch);
  }

  /** The earlier shards of shard {@code index}'s batch, in plan order. */
  public static List<Integer> earlierInBatch(int index, int batches) {
    List<Integer> out = new ArrayList<>();
    for (int j = index % batches; j < index; j += batches) {
      out.add(j);
    }
    return out;
  }

  /** Whether a spec's self-instruct pools depend on earlier shards (so shards must wait for them). */
  public static boolean chained(selflengthen.v1.SelfInstruct si) {
    return !si.getPoolAcrossRounds() && !si.getSeedsOnly();
  }
}
