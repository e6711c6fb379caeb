package selflengthen.workflows;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import selflengthen.activities.CallIds;
import selflengthen.activities.ControlActivities;
import selflengthen.activities.EvalControlActivities;
import selflengthen.activities.EvalInferenceActivities;
import selflengthen.activities.AgentWriteActivities;
import selflengthen.activities.DpoActivities;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.PreferenceActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Seeds;
import selflengthen.activities.Stages;
import selflengthen.activities.TrainActivities;
import selflengthen.method.SelfInstructBatches;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.EvalScores;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.MergedStage;
import selflengthen.v1.PlanStageTask;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ScoreEvalTask;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.SpecRef;
import selflengthen.v1.StageContext;
import selflengthen.v1.StagePlan;
import selflengthen.v1.StageResult;

/**
 * Runs the stages of one round (or of round 0, the run-level work) as activities, keeping the board
 * up to date (workflow code). Every call gets its deterministic call id, output path and seed.
 */
final class StageRunner {
  /** A sharded stage: plan, fan out, merge. */
  record ShardedCall(
      String stage,
      DatasetRef input,
      long targetRows,
      String role,
      AdapterRef adapter,
      DatasetRef pool) {}

  /**
   * What the recorded workflow version allows. An execution keeps the features it started with, so
   * histories recorded before a feature existed replay with it off.
   *
   * @param localControl the control steps ({@link ControlActivities}: plan, merge, drop-short,
   *     training sets, collect, length control, report) run as local activities in the workflow's
   *     own worker (the control worker, which hosts them anyway): no trip through the server's task
   *     queue, and consecutive steps run within one workflow task. Each returns in milliseconds to
   *     minutes; a long one keeps the workflow task alive by heartbeating it (SDK).
   * @param queueAhead shards are scheduled ahead of the limit ({@code parallelism.queued_shards})
   * @param batchedSelfInstruct self-instruct shards wait for the earlier shards of their batch
   */
  record Features(boolean localControl, boolean queueAhead, boolean batchedSelfInstruct) {
    static final Features LEGACY = new Features(false, false, false);
    static final Features CURRENT = new Features(true, true, false);

    static Features since(int version, int fast) {
      return version >= fast ? CURRENT : LEGACY;
    }

    /**
     * @param batches from this version on, a self-instruct shard starts only after the earlier
     *     shards of its batch finished (its pool holds what they accepted)
     */
    static Features since(int version, int fast, int batches) {
      Features f = since(version, fast);
      return new Features(f.localControl(), f.queueAhead(), version >= batches);
    }
  }

  private final RunSpec spec;
  /** The spec's file, which stage inputs carry instead of the spec; null: the spec inline. */
  private final SpecRef specRef;
  private final int round;
  private final FanOutSettings settings;
  private final StageBoard board;
  private final Features features;
  private boolean agentWrite;

  StageRunner(RunSpec spec, int round, FanOutSettings settings, StageBoard board, Features features) {
    this(spec, null, round, settings, board, features);
  }

  /**
   * @param specRef where prepare wrote {@code spec}: stage inputs carry it instead of the spec (a
   *     few kilobytes less per shard in the history and the payload converter); null, or a run
   *     prepared before references existed, sends the spec inline. Either way the activity sees
   *     the same spec.
   */
  StageRunner(
      RunSpec spec, SpecRef specRef, int round, FanOutSettings settings, StageBoard board, Features features) {
    this.spec = spec;
    this.specRef = specRef;
    this.round = round;
    this.settings = settings;
    this.board = board;
    this.features = features;
  }

  String runId() {
    return spec.getRunId();
  }

  int round() {
    return round;
  }

  StageContext context(String stage) {
    return context(stage, CallIds.stage(runId(), round, stage));
  }

  long seed(String stage, int index) {
    return Seeds.derive(spec.getSeed(), round, stage, index);
  }

  /** The control steps of {@code stage}: local activities when {@link Features#localControl}. */
  ControlActivities control(String stage) {
    if (features.localControl()) {
      return Workflow.newLocalActivityStub(
          ControlActivities.class,
          ActivityOptionsFactory.localControl(CallIds.stage(runId(), round, stage)));
    }
    return remoteControl(stage);
  }

  /** The control steps of {@code stage} as activities on the control queue, whatever the version. */
  ControlActivities remoteControl(String stage) {
    return Workflow.newActivityStub(
        ControlActivities.class,
        ActivityOptionsFactory.forCall(
            ActivityOptionsFactory.control(), CallIds.stage(runId(), round, stage)));
  }

  EvalControlActivities evalControl(String stage) {
    return Workflow.newActivityStub(
        EvalControlActivities.class,
        ActivityOptionsFactory.forCall(
            ActivityOptionsFactory.control(), CallIds.stage(runId(), round, stage)));
  }

  /** The round's preference sets (ours), on the control queue. */
  PreferenceActivities preference(String stage) {
    return Workflow.newActivityStub(
        PreferenceActivities.class,
        ActivityOptionsFactory.forCall(
            ActivityOptionsFactory.control(), CallIds.stage(runId(), round, stage)));
  }

  /** DPO of the Generator (ours), on the train queue. */
  DpoActivities dpo(String stage) {
    return Workflow.newActivityStub(
        DpoActivities.class,
        ActivityOptionsFactory.forCall(
            ActivityOptionsFactory.train(), CallIds.stage(runId(), round, stage)));
  }

  /**
   * From now on the respond stage's shards are AgentWrite shards ({@code generation.mode}); the
   * round sets it behind its version, so rounds recorded before keep their respond shards.
   */
  void agentWriteResponses() {
    agentWrite = true;
  }

  TrainActivities train(String stage) {
    return Workflow.newActivityStub(
        TrainActivities.class,
        ActivityOptionsFactory.forCall(
            ActivityOptionsFactory.train(), CallIds.stage(runId(), round, stage)));
  }

  /** The value a one-activity stage returned and its stage result (named, timed). */
  record Single<T>(T value, StageResult result) {}

  /** A stage made of one activity: shows as running on the board until it returns. */
  <T> Single<T> single(String stage, Functions.Func<T> call, Function<T, StageResult> resultOf) {
    board.begin(stage);
    long started = Workflow.currentTimeMillis();
    T out;
    try {
      out = call.apply();
    } catch (RuntimeException e) {
      board.fail(stage);
      throw e;
    }
    StageResult r =
        resultOf.apply(out).toBuilder()
            .setName(stage)
            .setElapsedMs(Workflow.currentTimeMillis() - started)
            .build();
    board.finish(stage, r);
    return new Single<>(out, r);
  }

  /**
   * Plans the stage, runs its shards and merges the finished ones. Returns the merge with the stage
   * result completed by name, elapsed time and cancelled shards; a stage already complete in the
   * store returns its recorded merge.
   */
  MergedStage sharded(ShardedCall call) {
    String stage = call.stage();
    board.begin(stage);
    long started = Workflow.currentTimeMillis();
    try {
      String output = RunPaths.stageOutput(runId(), round, stage);
      StagePlan plan =
          control(stage)
              .planStage(
                  PlanStageTask.newBuilder()
                      .setContext(context(stage))
                      .setInput(call.input())
                      .setTargetRows(call.targetRows())
                      .setShardSize(spec.getParallelism().getShardSize())
                      .setOutputPath(output)
                      .build());
      if (plan.hasCompleted()) {
        MergedStage done = plan.getCompleted();
        StageResult r = done.getStage().toBuilder().setName(stage).setSkipped(true).build();
        board.skip(stage, r);
        return done.toBuilder().setStage(r).build();
      }
      List<ShardTask> tasks = new ArrayList<>(plan.getShardsCount());
      for (ShardRef shard : plan.getShardsList()) {
        tasks.add(shardTask(call, shard));
      }
      ShardedStage.Outcome outcome =
          new ShardedStage(stage, settings, board, stragglerFraction(stage), queuedShards(), chain(stage, tasks.size()))
              .run(tasks, task -> startShard(stage, task));
      MergeStageTask.Builder merge =
          MergeStageTask.newBuilder()
              .setContext(context(stage))
              .addAllFinished(outcome.finished())
              .setShardsTotal(outcome.total())
              .setShardsCancelled(outcome.cancelled())
              .setSamplesIn(plan.getInputRows())
              .setOutputPath(output);
      if (call.pool() != null) {
        merge.setPool(call.pool()).setPoolOutputPath(RunPaths.pool(runId(), round));
      }
      MergedStage merged = control(stage).mergeStage(merge.build());
      StageResult.Builder r = merged.getStage().toBuilder();
      r.setName(stage)
          .setShardsCancelled(outcome.cancelled())
          .setElapsedMs(Workflow.currentTimeMillis() - started);
      r.clearShards();
      for (ShardSummary s : outcome.finished()) {
        r.addShards(s.getOutput());
      }
      board.finish(stage, r.build());
      return merged.toBuilder().setStage(r).build();
    } catch (RuntimeException e) {
      board.fail(stage);
      throw e;
    }
  }

  /** Drop-short (control) of {@code in} as the one-activity stage {@code stage}. */
  StageResult dropShort(String stage, DatasetRef in) {
    return single(
            stage,
            () ->
                control(stage)
                    .dropShort(
                        DropShortTask.newBuilder()
                            .setContext(context(stage))
                            .setInput(in)
                            .setOutputPath(RunPaths.stageOutput(runId(), round, stage))
                            .setSeed(seed(stage, 0))
                            .build()),
            x -> x)
        .result();
  }

  /** A benchmark's answers (the sharded eval stage) and their scores. */
  record Scored(MergedStage answered, EvalScores scores) {}

  /**
   * The Generator ({@code adapter}; null: the base model) answers the benchmark file, sharded as
   * the eval stage, and the answers are scored (control), the report written under {@code
   * reportDir}. The seed evaluation, a round's evaluation and a standalone evaluation all run this.
   */
  Scored answerAndScore(DatasetRef benchmark, AdapterRef adapter, String reportDir) {
    MergedStage answered =
        sharded(new ShardedCall(Stages.EVAL, benchmark, 0, Roles.GENERATOR, adapter, null));
    EvalScores scores =
        evalControl(Stages.EVAL)
            .scoreEval(
                ScoreEvalTask.newBuilder()
                    .setContext(context(Stages.EVAL))
                    .setResponses(answered.getStage().getOutput())
                    .setOutputDir(reportDir)
                    .build());
    return new Scored(answered, scores);
  }

  private ShardTask shardTask(ShardedCall call, ShardRef shard) {
    int i = shard.getIndex();
    ShardTask.Builder t =
        ShardTask.newBuilder()
            .setContext(context(call.stage(), CallIds.shard(runId(), round, call.stage(), i)))
            .setShard(shard)
            .setOutputPath(RunPaths.shardOutput(runId(), round, call.stage(), i))
            .setSeed(seed(call.stage(), i))
            .setRole(call.role())
            .setStageOutputPath(RunPaths.stageOutput(runId(), round, call.stage()));
    if (call.adapter() != null) {
      t.setAdapter(call.adapter());
    }
    return t.build();
  }

  private Promise<ShardSummary> startShard(String stage, ShardTask task) {
    if (stage.equals(Stages.EVAL)) {
      EvalInferenceActivities eval =
          Workflow.newActivityStub(
              EvalInferenceActivities.class,
              ActivityOptionsFactory.forCall(
                  ActivityOptionsFactory.inference(), task.getContext().getCallId()));
      return Async.function(eval::evalShard, task);
    }
    if (agentWrite && stage.equals(Stages.RESPOND)) {
      AgentWriteActivities writer =
          Workflow.newActivityStub(
              AgentWriteActivities.class,
              ActivityOptionsFactory.forCall(
                  ActivityOptionsFactory.inference(inferenceHeartbeat()), task.getContext().getCallId()));
      return Async.function(writer::agentWriteShard, task);
    }
    InferenceActivities stub =
        Workflow.newActivityStub(
            InferenceActivities.class,
            ActivityOptionsFactory.forCall(
                ActivityOptionsFactory.inference(inferenceHeartbeat()), task.getContext().getCallId()));
    Functions.Func1<ShardTask, ShardSummary> method =
        switch (stage) {
          case Stages.SELF_INSTRUCT, Stages.COLLECT_SELF_INSTRUCT -> stub::selfInstructShard;
          case Stages.RESPOND, Stages.COLLECT_RESPOND -> stub::respondShard;
          case Stages.EXTEND -> stub::extendShard;
          case Stages.MEASURE -> stub::measureShard;
          case Stages.LENGTH_CONTROL_REWRITE -> stub::lengthRewriteShard;
          default -> throw new IllegalArgumentException("not a sharded stage: " + stage);
        };
    return Async.function(method, task);
  }

  /**
   * Self-instruct's batches ({@link SelfInstructBatches}): shard i waits for shard i - B. The
   * collection pass exists only in versions that batch; a round's self-instruct from {@link
   * Features#batchedSelfInstruct}. 0: no chain.
   */
  private int chain(String stage, int shards) {
    boolean selfInstruct =
        stage.equals(Stages.COLLECT_SELF_INSTRUCT)
            || (stage.equals(Stages.SELF_INSTRUCT) && features.batchedSelfInstruct());
    if (!selfInstruct || !SelfInstructBatches.chained(spec.getSelfInstruct())) {
      return 0;
    }
    return SelfInstructBatches.batches(
        shards, spec.getParallelism().getShardSize(), spec.getSelfInstruct().getBatchSize());
  }

  /** The spec's queued_shards (unset: none); 0 before the feature. */
  private int queuedShards() {
    return features.queueAhead() ? spec.getParallelism().getQueuedShards() : 0;
  }

  private Duration inferenceHeartbeat() {
    return spec.getParallelism().hasInferenceHeartbeatSeconds()
        ? Duration.ofSeconds(spec.getParallelism().getInferenceHeartbeatSeconds())
        : ActivityOptionsFactory.INFERENCE_HEARTBEAT;
  }

  /**
   * The float's decimal value (0.6f is 0.60000002 as a double, which would need 4 of 5 shards). A
   * benchmark is never cut: its score needs an answer to every row. Only the respond and extend
   * stages are cut, as in the reference.
   */
  private double stragglerFraction(String stage) {
    if (stage.equals(Stages.EVAL)
        || stage.equals(Stages.COLLECT_SELF_INSTRUCT)
        || stage.equals(Stages.LENGTH_CONTROL_REWRITE)) {
      // A benchmark needs every row; the collection's self-instruct has no cut in the reference
      // (its step 0 waits for every request); every long.jsonl row gets its rewrite or fallback.
      return 1.0;
    }
    // The reference stops waiting at 95% only in step1 (initial responses, the collection pass's
    // too) and step2 (extensions);
    // self-instruct and the measurement wait for every shard. Executions recorded before this rule
    // keep the cut everywhere.
    if (!stage.equals(Stages.RESPOND)
        && !stage.equals(Stages.EXTEND)
        && !stage.equals(Stages.COLLECT_RESPOND)
        && Workflow.getVersion(
                Versions.STRAGGLER_STAGES, Workflow.DEFAULT_VERSION, Versions.STRAGGLER_STAGES_MAX)
            >= Versions.STRAGGLER_STAGES_REFERENCE) {
      return 1.0;
    }
    return spec.getParallelism().hasStragglerFraction()
        ? Double.parseDouble(Float.toString(spec.getParallelism().getStragglerFraction()))
        : 1.0;
  }

  private StageContext context(String stage, String callId) {
    StageContext.Builder c = StageContext.newBuilder().setRound(round).setStage(stage).setCallId(callId);
    return (specRef != null ? c.setSpecRef(specRef) : c.setSpec(spec)).build();
  }
}
