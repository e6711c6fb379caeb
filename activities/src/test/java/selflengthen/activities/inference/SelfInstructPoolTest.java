package selflengthen.activities.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How a stage's shards are dealt to batches of self_instruct.batch_size requests. */
class SelfInstructPoolTest {
  @Test
  void referenceScaleDealsShardsToTenInterleavedBatches() {
    int shards = selflengthen.method.SelfInstructBatches.shardCount(5000, 32);
    assertEquals(157, shards);
    int batches = selflengthen.method.SelfInstructBatches.batches(shards, 32, 500);
    assertEquals(10, batches); // 16 shards (512 requests) per batch
    assertEquals(List.of(), selflengthen.method.SelfInstructBatches.earlierInBatch(3, batches), "the first shards never wait");
    assertEquals(List.of(3, 13, 23), selflengthen.method.SelfInstructBatches.earlierInBatch(33, batches));
  }

  @Test
  void aSmallStageIsOneBatchInPlanOrder() {
    int shards = selflengthen.method.SelfInstructBatches.shardCount(12, 4);
    assertEquals(3, shards);
    assertEquals(1, selflengthen.method.SelfInstructBatches.batches(shards, 4, 500));
    assertEquals(List.of(0, 1), selflengthen.method.SelfInstructBatches.earlierInBatch(2, 1));
    // A batch no larger than a shard: every shard its own batch, nothing shared.
    assertEquals(3, selflengthen.method.SelfInstructBatches.batches(shards, 4, 4));
    assertEquals(List.of(), selflengthen.method.SelfInstructBatches.earlierInBatch(2, 3));
  }
}
