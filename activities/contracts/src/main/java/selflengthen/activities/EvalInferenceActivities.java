package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * Benchmark answers on queue {@code selflengthen-inference}, one shard per call, with the same
 * commit, heartbeat, resume and straggler rules as {@link InferenceActivities}.
 */
@ActivityInterface
public interface EvalInferenceActivities {

  /**
   * The task role's model answers rows [first_row, first_row + row_count) of the benchmark file
   * (spec.evaluation: format, sampling), each prompt sent as it is as the user turn. Every output row
   * is the benchmark row plus {@code row}, {@code response}, {@code words} (the benchmark's word
   * count) and {@code finish}; with spec.evaluation.judge also {@code judge} (the ratings, or why the
   * judge failed).
   */
  ShardSummary evalShard(ShardTask task);
}
