package selflengthen.workflows;

import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.CollectTask;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthControlTask;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.MergedStage;
import selflengthen.v1.PlanStageTask;
import selflengthen.v1.PreparedRun;
import selflengthen.v1.ReportTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.StagePlan;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainingSetsTask;
import selflengthen.v1.WrittenReport;

/**
 * Control double: plans shards from row counts, merges by summing the finished shards' summaries,
 * keeps 3/4 in drop-short. Writes nothing. {@link #prepareFailure}, {@link #recovered} and
 * {@link #completedStages} script prepareRun and planStage.
 */
final class ScriptedControlActivities implements selflengthen.activities.ControlActivities {
  static final long SEED_POOL_ROWS = 18;

  final AtomicReference<String> prepareFailure = new AtomicReference<>();
  final AtomicReference<RunState> recovered = new AtomicReference<>();
  /** The spec's file, as a real prepare reports it; null: a prepare from before references. */
  final AtomicReference<selflengthen.v1.SpecRef> specRef = new AtomicReference<>();
  /** Stage call id -> the merge the manifest "already holds". */
  final Map<String, MergedStage> completedStages = new ConcurrentHashMap<>();
  /** Drop-short stages (by name) that keep nothing. */
  final java.util.Set<String> keepNothing = ConcurrentHashMap.newKeySet();
  private final CallLog log;

  ScriptedControlActivities(CallLog log) {
    this.log = log;
  }

  @Override
  public PreparedRun prepareRun(RunSpec spec) {
    log.record("prepare", spec.getRunId() + "/round-0/prepare");
    String failure = prepareFailure.get();
    if (failure != null) {
      throw ApplicationFailure.newNonRetryableFailure(failure, ActivityFailures.SPEC_VALIDATION);
    }
    String run = spec.getRunId();
    RunState state = recovered.get() != null ? recovered.get() : RunState.newBuilder().setNextRound(1).build();
    PreparedRun.Builder prepared = PreparedRun.newBuilder()
        .setSpec(spec)
        .setSpecPath(RunPaths.specFile(run))
        .setState(state)
        .setSeedPool(Refs.dataset(RunPaths.seedPool(run), SEED_POOL_ROWS))
        .setHeldOut(Refs.dataset(RunPaths.heldOut(run), spec.getMeasurement().getHeldOutCount()));
    if (specRef.get() != null) {
      prepared.setSpecRef(specRef.get());
    }
    return prepared.build();
  }

  @Override
  public StagePlan planStage(PlanStageTask task) {
    String id = task.getContext().getCallId();
    log.record("plan", id);
    MergedStage done = completedStages.get(id);
    if (done != null) {
      return StagePlan.newBuilder().setCompleted(done).build();
    }
    long rows = task.getTargetRows() > 0 ? task.getTargetRows() : task.getInput().getCount();
    StagePlan.Builder plan = StagePlan.newBuilder().setInputRows(rows);
    int index = 0;
    for (long first = 0; first < rows; first += task.getShardSize()) {
      plan.addShards(
          ShardRef.newBuilder()
              .setInput(task.getInput())
              .setIndex(index++)
              .setFirstRow(first)
              .setRowCount(Math.min(task.getShardSize(), rows - first)));
    }
    return plan.build();
  }

  @Override
  public MergedStage mergeStage(MergeStageTask task) {
    log.record("merge", task.getContext().getCallId());
    log.merges.put(task.getContext().getCallId(), task);
    long rows = 0;
    long attempts = 0;
    long accepted = 0;
    double words = 0;
    for (ShardSummary s : task.getFinishedList()) {
      rows += s.getSamplesOut();
      attempts += s.getAttempts();
      accepted += s.getAccepted();
      words += s.getLengths().getMeanWords() * s.getLengths().getCount();
    }
    MergedStage.Builder m =
        MergedStage.newBuilder()
            .setStage(
                StageResult.newBuilder()
                    .setOutput(Refs.dataset(task.getOutputPath(), rows))
                    .setSamplesIn(task.getSamplesIn())
                    .setSamplesOut(rows)
                    .setLengths(Refs.lengths(rows, rows == 0 ? 0 : words / rows))
                    .setShardsCancelled(task.getShardsCancelled()))
            .setAttempts(attempts)
            .setAccepted(accepted);
    if (task.hasPool()) {
      m.setPool(Refs.dataset(task.getPoolOutputPath(), task.getPool().getCount() + rows));
    }
    return m.build();
  }

  @Override
  public StageResult dropShort(DropShortTask task) {
    log.record("dropShort", task.getContext().getCallId());
    long in = task.getInput().getCount();
    long kept = keepNothing.contains(task.getContext().getStage()) ? 0 : in - in / 4;
    int round = task.getContext().getRound();
    double words =
        task.getContext().getStage().equals(Stages.DROP_SHORT) ? 1000 * round : 1800 * round;
    return StageResult.newBuilder()
        .setOutput(Refs.dataset(task.getOutputPath(), kept))
        .setSamplesIn(in)
        .setSamplesOut(kept)
        .setLengths(Refs.lengths(kept, words))
        .build();
  }

  @Override
  public BuiltTrainingSets buildTrainingSets(TrainingSetsTask task) {
    log.record("trainingSets", task.getContext().getCallId());
    long n = task.getExtended().getCount();
    return BuiltTrainingSets.newBuilder()
        .setGenerator(Refs.dataset(task.getGeneratorOutputPath(), n))
        .setExtender(Refs.dataset(task.getExtenderOutputPath(), n))
        .setDatasetInfoPath(task.getDatasetInfoPath())
        .build();
  }

  @Override
  public StageResult collect(CollectTask task) {
    log.record("collect", task.getContext().getCallId());
    log.collects.add(task);
    long n = task.getSourcesList().stream().mapToLong(DatasetRef::getCount).sum();
    return StageResult.newBuilder()
        .setOutput(Refs.dataset(task.getOutputPath(), n))
        .setSamplesIn(n)
        .setSamplesOut(n)
        .build();
  }

  @Override
  public LengthControlResult lengthControl(LengthControlTask task) {
    log.record("lengthControl", task.getContext().getCallId());
    log.lengthControls.add(task);
    long n = task.hasRewritten() ? task.getRewritten().getCount() : task.getLongSet().getCount() * 4 / 5;
    String out = task.getPlanOutputPath().isEmpty() ? task.getOutputPath() : task.getPlanOutputPath();
    return LengthControlResult.newBuilder()
        .setStage(
            StageResult.newBuilder()
                .setOutput(Refs.dataset(out, n))
                .setSamplesIn(task.getLongSet().getCount())
                .setSamplesOut(n))
        .putPerType("about", n)
        .build();
  }

  @Override
  public WrittenReport writeReport(ReportTask task) {
    log.record("report", task.getContext().getCallId());
    return WrittenReport.newBuilder()
        .addFiles(task.getOutputDir() + "/report.md")
        .addFiles(task.getOutputDir() + "/report.json")
        .build();
  }
}
