package selflengthen.workers.bench;

import io.temporal.activity.Activity;
import java.util.Map;
import selflengthen.activities.ControlActivities;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.RunPaths;
import selflengthen.activities.TrainActivities;
import selflengthen.store.DataStore;
import selflengthen.v1.AdapterRef;
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
import selflengthen.v1.ShardTask;
import selflengthen.v1.StagePlan;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;
import selflengthen.v1.TrainingSetsTask;
import selflengthen.v1.WrittenReport;

/**
 * Activities for the orchestration benchmark: every shard takes exactly {@code shardMillis} and
 * everything else returns at once; nothing is read or written but the spec's file, which prepare
 * writes as the real one does (stage inputs refer to it, and the workers read it once). The
 * workflows around them are the real ones, so what the benchmark measures beyond the shards' time
 * is orchestration overhead.
 *
 * <p>Round 1's sharded stages get the shard counts in {@code shardsPerStage}; the run-level seed
 * measurement (round 0) and stages not in the map plan no shards.
 */
public final class SyntheticActivities implements ControlActivities, InferenceActivities, TrainActivities {
  /** Heartbeat this often in long synthetic shards (the inference heartbeat timeout is 60 s). */
  private static final long HEARTBEAT_EVERY_MS = 20_000;

  private final DataStore store;
  private final Map<String, Integer> shardsPerStage;
  private final long shardMillis;

  public SyntheticActivities(DataStore store, Map<String, Integer> shardsPerStage, long shardMillis) {
    this.store = store;
    this.shardsPerStage = Map.copyOf(shardsPerStage);
    this.shardMillis = shardMillis;
  }

  @Override
  public PreparedRun prepareRun(RunSpec spec) {
    String run = spec.getRunId();
    return PreparedRun.newBuilder()
        .setSpec(spec)
        .setSpecPath(RunPaths.specFile(run))
        .setSpecRef(store.writeSpecSnapshot(spec))
        .setState(RunState.newBuilder().setNextRound(1))
        .setSeedPool(ref(RunPaths.seedPool(run), 1))
        .setHeldOut(ref(RunPaths.heldOut(run), 1))
        .build();
  }

  @Override
  public StagePlan planStage(PlanStageTask task) {
    int shards =
        task.getContext().getRound() == 0
            ? 0
            : shardsPerStage.getOrDefault(task.getContext().getStage(), 0);
    long size = Math.max(1, task.getShardSize());
    StagePlan.Builder plan = StagePlan.newBuilder().setInputRows(shards * size);
    for (int i = 0; i < shards; i++) {
      plan.addShards(
          ShardRef.newBuilder()
              .setInput(task.getInput())
              .setIndex(i)
              .setFirstRow(i * size)
              .setRowCount(size));
    }
    return plan.build();
  }

  @Override
  public MergedStage mergeStage(MergeStageTask task) {
    long rows = task.getFinishedList().stream().mapToLong(ShardSummary::getSamplesOut).sum();
    MergedStage.Builder merged =
        MergedStage.newBuilder()
            .setStage(
                StageResult.newBuilder()
                    .setOutput(ref(task.getOutputPath(), rows))
                    .setSamplesIn(task.getSamplesIn())
                    .setSamplesOut(rows))
            .setAttempts(rows)
            .setAccepted(rows);
    if (task.hasPool()) {
      merged.setPool(ref(task.getPoolOutputPath(), task.getPool().getCount() + rows));
    }
    return merged.build();
  }

  @Override
  public StageResult dropShort(DropShortTask task) {
    long rows = task.getInput().getCount();
    return StageResult.newBuilder()
        .setOutput(ref(task.getOutputPath(), rows))
        .setSamplesIn(rows)
        .setSamplesOut(rows)
        .build();
  }

  @Override
  public BuiltTrainingSets buildTrainingSets(TrainingSetsTask task) {
    // A round refuses empty training sets; a benchmark round with no shards still gets one row.
    long rows = Math.max(1, task.getExtended().getCount());
    return BuiltTrainingSets.newBuilder()
        .setGenerator(ref(task.getGeneratorOutputPath(), rows))
        .setExtender(ref(task.getExtenderOutputPath(), rows))
        .setDatasetInfoPath(task.getDatasetInfoPath())
        .build();
  }

  @Override
  public StageResult collect(CollectTask task) {
    long rows = task.getSourcesList().stream().mapToLong(DatasetRef::getCount).sum();
    return StageResult.newBuilder().setOutput(ref(task.getOutputPath(), rows)).setSamplesOut(rows).build();
  }

  @Override
  public LengthControlResult lengthControl(LengthControlTask task) {
    return LengthControlResult.newBuilder()
        .setStage(StageResult.newBuilder().setOutput(ref(task.getOutputPath(), task.getLongSet().getCount())))
        .build();
  }

  @Override
  public WrittenReport writeReport(ReportTask task) {
    return WrittenReport.getDefaultInstance();
  }

  @Override
  public ShardSummary selfInstructShard(ShardTask task) {
    return shard(task);
  }

  @Override
  public ShardSummary respondShard(ShardTask task) {
    return shard(task);
  }

  @Override
  public ShardSummary extendShard(ShardTask task) {
    return shard(task);
  }

  @Override
  public ShardSummary measureShard(ShardTask task) {
    return shard(task);
  }

  @Override
  public ShardSummary lengthRewriteShard(ShardTask task) {
    return shard(task);
  }

  @Override
  public TrainingResult train(TrainTask task) {
    return TrainingResult.newBuilder()
        .setAdapter(
            AdapterRef.newBuilder()
                .setPath(task.getOutputDir())
                .setRole(task.getRole())
                .setRound(task.getContext().getRound()))
        .setExamples(task.getTrainingSet().getCount())
        .build();
  }

  private ShardSummary shard(ShardTask task) {
    work(shardMillis);
    long rows = task.getShard().getRowCount();
    return ShardSummary.newBuilder()
        .setIndex(task.getShard().getIndex())
        .setOutput(ref(task.getOutputPath(), rows))
        .setSamplesIn(rows)
        .setSamplesOut(rows)
        .setAttempts(rows)
        .setAccepted(rows)
        .build();
  }

  /** Sleeps {@code millis}, heartbeating when that is long enough to need it. */
  private static void work(long millis) {
    long end = System.nanoTime() + millis * 1_000_000;
    try {
      for (long left = millis; left > 0; left = (end - System.nanoTime()) / 1_000_000) {
        Thread.sleep(Math.min(left, HEARTBEAT_EVERY_MS));
        if (millis > HEARTBEAT_EVERY_MS) {
          Activity.getExecutionContext().heartbeat(null);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("synthetic shard interrupted", e);
    }
  }

  private static DatasetRef ref(String path, long rows) {
    return DatasetRef.newBuilder().setPath(path).setCount(rows).build();
  }
}
