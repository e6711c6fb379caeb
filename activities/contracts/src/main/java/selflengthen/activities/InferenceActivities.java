package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/**
 * Generation on queue {@code selflengthen-inference}, one shard per call. Every method:
 *
 * <ul>
 *   <li>appends each finished sample to {@code output_path} as it goes (a JSONL line, flushed) and
 *       heartbeats (rows done) at least every 20 s; a retry reads the rows already in the file and
 *       continues after them ({@code resumed_rows});
 *   <li>returns at once with the summary of the file when the manifest already records the shard
 *       complete;
 *   <li>stops before its next sample once the manifest records {@code stage_output_path} complete
 *       (the stage ended without it: straggler cut; the workflow abandoned it and will not read its
 *       partial file), and when a heartbeat throws {@code ActivityCompletionException} (its workflow
 *       execution closed or was cancelled); returning or throwing then is equally fine, the result is
 *       ignored;
 *   <li>seeds its sampling from {@code seed} and the row number, so a retry samples as the first
 *       attempt did.
 * </ul>
 */
@ActivityInterface
public interface InferenceActivities {

  /**
   * Makes {@code shard.row_count} new instructions from few-shot prompts drawn from the pool
   * snapshot {@code shard.input}, each kept only if it passes the word bounds and the judge.
   */
  ShardSummary selfInstructShard(ShardTask task);

  /** Answers rows [first_row, first_row + row_count) of the instructions, per_instruction times each. */
  ShardSummary respondShard(ShardTask task);

  /** Extends each kept response of the slice with the Extender (attempts x tries x micro-iterations). */
  ShardSummary extendShard(ShardTask task);

  /** Answers the held-out instructions of the slice once each, to measure output lengths. */
  ShardSummary measureShard(ShardTask task);

  /**
   * Length control: rewrites the queries of rows [first_row, first_row + row_count) of the plan
   * with the length_control model so each carries its limit, falling back to the appended limit.
   */
  ShardSummary lengthRewriteShard(ShardTask task);
}
