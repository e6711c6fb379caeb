package selflengthen.activities.control;

import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.RecordedResults;
import selflengthen.store.DataStore;
import selflengthen.v1.MergedStage;
import selflengthen.v1.PlanStageTask;
import selflengthen.v1.ShardRef;
import selflengthen.v1.StagePlan;

/** planStage: the shards of a stage, or its recorded merge when the stage is already complete. */
final class StagePlanning {
  private final DataRoots roots;

  StagePlanning(DataRoots roots) {
    this.roots = roots;
  }

  StagePlan plan(PlanStageTask task) {
    DataStore store = roots.store(task.getContext().getSpec());
    var done = RecordedResults.completed(store, task.getOutputPath(), MergedStage.getDefaultInstance());
    if (done.isPresent()) {
      return StagePlan.newBuilder().setCompleted(done.get()).setInputRows(done.get().getStage().getSamplesIn()).build();
    }
    // Count the file itself: the reference's count is the workflow's, the file is the truth.
    long rows = task.getTargetRows() > 0 ? task.getTargetRows() : Datasets.count(store, task.getInput().getPath());
    long size = Math.max(1, task.getShardSize());
    StagePlan.Builder plan = StagePlan.newBuilder().setInputRows(rows);
    int index = 0;
    for (long first = 0; first < rows; first += size) {
      plan.addShards(
          ShardRef.newBuilder()
              .setInput(task.getInput())
              .setIndex(index++)
              .setFirstRow(first)
              .setRowCount(Math.min(size, rows - first)));
    }
    return plan.build();
  }
}
