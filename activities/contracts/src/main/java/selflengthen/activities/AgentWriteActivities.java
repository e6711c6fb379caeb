package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * AgentWrite initial responses on queue {@code selflengthen-inference} (ours, {@code
 * generation.mode: GENERATION_MODE_AGENTWRITE}); a shard behaves as every {@link
 * InferenceActivities} shard does (ordered commits, heartbeats, resume, straggler stop).
 */
@ActivityInterface
public interface AgentWriteActivities {

  /**
   * Answers rows [first_row, first_row + row_count) of the instructions, per_instruction times
   * each, plan first, then paragraph by paragraph. The plan and every paragraph are files of the
   * store ({@code <stage dir>/agentwrite/row-<r>-<s>/plan.txt}, {@code paragraph-<nnn>.txt}),
   * each written as soon as it is made, so a retried shard continues after the last paragraph
   * written. The output rows have the initial-response fields ({@code row}, {@code sample},
   * {@code instruction}, {@code response}, {@code words}, {@code tries}) and the plan's figures.
   */
  ShardSummary agentWriteShard(ShardTask task);
}
