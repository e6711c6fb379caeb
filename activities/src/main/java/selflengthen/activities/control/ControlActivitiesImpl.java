package selflengthen.activities.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import selflengthen.activities.ControlActivities;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.DataRoots;
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
 * The control activities, each in its own class. Every output is written atomically, recorded in
 * the manifest with its lineage and result, and a call whose output is already recorded complete
 * returns the recorded result at once.
 */
public final class ControlActivitiesImpl implements ControlActivities {
  private final RunPreparation preparation;
  private final StagePlanning planning;
  private final StageMerge merge;
  private final DropShortStage dropShort;
  private final TrainingSetsStage trainingSets;
  private final CollectStage collect;
  private final LengthControlStage lengthControl;
  private final RunReport report;

  /** @param models checks the spec's models in prepareRun (nothing is generated here) */
  public ControlActivitiesImpl(DataRoots roots, ModelProvider models) {
    this.preparation = new RunPreparation(roots, models);
    this.planning = new StagePlanning(roots);
    this.merge = new StageMerge(roots);
    this.dropShort = new DropShortStage(roots);
    this.trainingSets = new TrainingSetsStage(roots);
    this.collect = new CollectStage(roots);
    this.lengthControl = new LengthControlStage(roots);
    this.report = new RunReport(roots);
  }

  @Override
  public PreparedRun prepareRun(RunSpec spec) {
    return preparation.prepare(spec);
  }

  @Override
  public StagePlan planStage(PlanStageTask task) {
    return planning.plan(task);
  }

  @Override
  public MergedStage mergeStage(MergeStageTask task) {
    return merge.merge(task);
  }

  @Override
  public StageResult dropShort(DropShortTask task) {
    return dropShort.run(task);
  }

  @Override
  public BuiltTrainingSets buildTrainingSets(TrainingSetsTask task) {
    return trainingSets.run(task);
  }

  @Override
  public StageResult collect(CollectTask task) {
    return collect.run(task);
  }

  @Override
  public LengthControlResult lengthControl(LengthControlTask task) {
    return lengthControl.run(task);
  }

  @Override
  public WrittenReport writeReport(ReportTask task) {
    try {
      return report.write(task);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report under " + task.getOutputDir(), e);
    }
  }
}
