package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.EvalScores;
import selflengthen.v1.PrepareEvalTask;
import selflengthen.v1.PreparedEval;
import selflengthen.v1.ScoreEvalTask;

/**
 * The light side of a benchmark evaluation, on queue {@code selflengthen-control}. Separate from
 * {@link ControlActivities} so workers and doubles of the run's activities need not serve it.
 */
@ActivityInterface
public interface EvalControlActivities {

  /**
   * A standalone evaluation's setup: fills the defaults, checks the fields an evaluation uses (a
   * broken one fails non-retryable naming the field; a malformed benchmark row names its line), asks
   * the worker's model provider whether it can serve the generator (and the judge), and copies the
   * benchmark rows into the store at {@code dataset_output_path} (kept when already recorded, so a
   * resumed evaluation answers the same rows).
   */
  PreparedEval prepareEval(PrepareEvalTask task);

  /**
   * Scores the answers with the benchmark's formula and word count, averages the judge's ratings
   * when the rows carry them, and writes the report (JSON, Markdown, per-row scores, PNG plots)
   * under {@code output_dir}. Returns the recorded scores at once when already written.
   */
  EvalScores scoreEval(ScoreEvalTask task);
}
