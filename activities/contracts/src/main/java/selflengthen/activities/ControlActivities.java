package selflengthen.activities;

import io.temporal.activity.ActivityInterface;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.CollectTask;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthControlTask;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.MergedStage;
import selflengthen.v1.PlanStageTask;
import selflengthen.v1.PreparedRun;
import selflengthen.v1.ReportTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StagePlan;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainingSetsTask;
import selflengthen.v1.WrittenReport;

/**
 * Light CPU work on queue {@code selflengthen-control}: planning, merging, filters, training sets,
 * reports. None of them heartbeats; each finishes in minutes at most. Every one is idempotent: it
 * writes its output to a temporary file and renames it into place, records it in the manifest, and
 * when called again with an output already recorded complete returns the recorded result at once.
 */
@ActivityInterface
public interface ControlActivities {

  /**
   * Fills the spec's defaults, validates it (a broken rule throws a non-retryable
   * {@link ActivityFailures#SPEC_VALIDATION} failure whose message names the field), writes it to
   * {@link RunPaths#specFile}, reads the seed file and writes the held-out set and the starting pool
   * ({@link RunPaths#heldOut}, {@link RunPaths#seedPool}), and recovers the run's state from the
   * manifest so a resumed run skips finished rounds.
   */
  PreparedRun prepareRun(RunSpec spec);

  /**
   * Counts the input's rows (or takes {@code target_rows}) and cuts them into shards of
   * {@code shard_size}. Reports {@code completed} when the manifest already holds the stage's merged
   * output.
   */
  StagePlan planStage(PlanStageTask task);

  /**
   * Concatenates the finished shards' files in index order into {@code output_path} and measures
   * it. For self_instruct also drops cross-shard near-duplicates (among the new instructions and
   * against the pool) and writes the new pool = pool + accepted to {@code pool_output_path}.
   */
  MergedStage mergeStage(MergeStageTask task);

  /** Drop-short over a whole dataset: global length ranking, survival 1 - factor * r^exponent. */
  StageResult dropShort(DropShortTask task);

  /** The Generator and Extender SFT sets (LLaMA-Factory JSON) and their dataset_info.json. */
  BuiltTrainingSets buildTrainingSets(TrainingSetsTask task);

  /** Every round's (instruction, response) pairs into long.jsonl ({@code query}, {@code response}). */
  StageResult collect(CollectTask task);

  /** Keeps responses in the length window and rewrites each query with a length constraint. */
  LengthControlResult lengthControl(LengthControlTask task);

  /** The run's report (Markdown + JSON + charts) under {@code output_dir}. */
  WrittenReport writeReport(ReportTask task);
}
