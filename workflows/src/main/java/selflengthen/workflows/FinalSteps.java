package selflengthen.workflows;

import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.CollectTask;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthControlTask;
import selflengthen.v1.MergedStage;
import selflengthen.v1.ReportTask;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;
import selflengthen.v1.WrittenReport;

/**
 * The run's steps after its last round (workflow code, in the run's final execution): long.jsonl
 * (with the collection pass), length control and its SFT, the report.
 */
final class FinalSteps {
  private static final Logger log = Workflow.getLogger(FinalSteps.class);

  private final RunSpec spec;
  private final String runId;
  private final RunState state;
  private final StageRunner runner;
  private final Consumer<String> phase;

  /** @param phase told the step now running, for the run's status */
  FinalSteps(String runId, RunSpec spec, RunState state, StageRunner runner, Consumer<String> phase) {
    this.spec = spec;
    this.runId = runId;
    this.state = state;
    this.runner = runner;
    this.phase = phase;
  }

  /** The steps in order; {@code state} holds every round's results. */
  RunResult run() {
    RunResult.Builder result =
        RunResult.newBuilder()
            .setRunId(runId)
            .addAllRounds(state.getRoundsList())
            .setSeedHeldOutLengths(state.getSeedHeldOutLengths());
    if (state.hasSeedEvaluation()) {
      result.setSeedEvaluation(state.getSeedEvaluation());
    }
    boolean pass =
        Workflow.getVersion(Versions.COLLECT_PASS, Workflow.DEFAULT_VERSION, Versions.COLLECT_PASS_MAX)
            >= Versions.COLLECT_PASS_MAX;

    DatasetRef longSet = collect(pass);
    result.setLongSet(longSet);
    if (!spec.getLengthControl().hasEnabled() || spec.getLengthControl().getEnabled()) {
      lengthControl(pass, longSet, result);
    }
    report(result);

    return result.build();
  }

  /**
   * long.jsonl from every round's initial (after drop-short) and extended responses, plus the
   * collection pass's when collect.enabled. Runs recorded before the pass ({@code pass} false) take
   * the extended responses only.
   */
  private DatasetRef collect(boolean pass) {
    List<DatasetRef> sources = new ArrayList<>();
    for (RoundResult r : state.getRoundsList()) {
      for (StageResult s : r.getStagesList()) {
        // collect_data.py: every round's initial responses (after drop-short) and extended ones.
        if (s.getName().equals(Stages.DROP_SHORT_EXTENDED) || (pass && s.getName().equals(Stages.DROP_SHORT))) {
          sources.add(s.getOutput());
        }
      }
    }
    if (pass && spec.getCollect().getEnabled() && spec.getCollect().getTotalCount() > 0) {
      phase.accept("collect_pass");
      sources.add(collectionPass());
    }
    phase.accept("collect");
    return runner
        .control(Stages.COLLECT)
        .collect(
            CollectTask.newBuilder()
                .setContext(runner.context(Stages.COLLECT))
                .addAllSources(sources)
                .setOutputPath(RunPaths.longSet(runId))
                .build())
        .getOutput();
  }

  /** The length-controlled set (planned, or rewritten by a model when asked), then its SFT. */
  private void lengthControl(boolean pass, DatasetRef longSet, RunResult.Builder result) {
    phase.accept("length_control");
    LengthControlResult controlled =
        pass && spec.getLengthControl().getRewrite()
            ? rewrittenLengthControl(longSet)
            : runner
                .control(Stages.LENGTH_CONTROL)
                .lengthControl(
                    LengthControlTask.newBuilder()
                        .setContext(runner.context(Stages.LENGTH_CONTROL))
                        .setLongSet(longSet)
                        .setOutputPath(RunPaths.lengthControlSet(runId))
                        .setDatasetInfoPath(RunPaths.lengthControlDatasetInfo(runId))
                        .setSeed(runner.seed(Stages.LENGTH_CONTROL, 0))
                        .build());
    result
        .setLengthControlSet(controlled.getStage().getOutput())
        .setLengthControlRewritten(controlled.getRewritten())
        .setLengthControlFallback(controlled.getFallback())
        .setLengthControlModel(controlled.getModel());
    trainOnLengthControl(controlled.getStage().getOutput()).ifPresent(result::setLengthControlTraining);
  }

  private void report(RunResult.Builder result) {
    phase.accept("report");
    WrittenReport report =
        runner
            .control(Stages.REPORT)
            .writeReport(
                ReportTask.newBuilder()
                    .setContext(runner.context(Stages.REPORT))
                    .setResult(result)
                    .setOutputDir(RunPaths.reportDir(runId))
                    .build());
    result.addAllReportFiles(report.getFilesList());
  }

  /**
   * eval/add_length_control.py: plan the constraints (control), let models.length_control weave
   * each limit into its query (sharded, a rewrite that lost a number is retried, then the limit is
   * appended), then write the SFT set from those rows (control).
   */
  private LengthControlResult rewrittenLengthControl(DatasetRef longSet) {
    LengthControlTask.Builder base =
        LengthControlTask.newBuilder()
            .setContext(runner.context(Stages.LENGTH_CONTROL))
            .setLongSet(longSet)
            .setOutputPath(RunPaths.lengthControlSet(runId))
            .setDatasetInfoPath(RunPaths.lengthControlDatasetInfo(runId))
            .setSeed(runner.seed(Stages.LENGTH_CONTROL, 0));
    LengthControlResult plan =
        runner
            .control(Stages.LENGTH_CONTROL)
            .lengthControl(base.clone().setPlanOutputPath(RunPaths.lengthControlPlan(runId)).build());
    MergedStage rewritten =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.LENGTH_CONTROL_REWRITE, plan.getStage().getOutput(), 0, "length_control", null, null));
    return runner
        .control(Stages.LENGTH_CONTROL)
        .lengthControl(base.clone().setRewritten(rewritten.getStage().getOutput()).build());
  }

  /**
   * run_collect_data.sh: the final models (the last round's Generator adapter) make
   * collect.total_count more instructions (self-instruct as in a round: the base model writes and
   * judges unless self_instruct.generator_writes) and answer them; drop-short as step 1 does.
   * Returns the kept responses.
   */
  private DatasetRef collectionPass() {
    AdapterRef generator = state.hasGeneratorAdapter() ? state.getGeneratorAdapter() : null;
    MergedStage made =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.COLLECT_SELF_INSTRUCT,
                state.getInstructionPool(),
                spec.getCollect().getTotalCount(),
                Roles.GENERATOR,
                generator,
                null));
    MergedStage answered =
        runner.sharded(
            new StageRunner.ShardedCall(
                Stages.COLLECT_RESPOND,
                made.getStage().getOutput(),
                0,
                Roles.GENERATOR,
                generator,
                null));
    return runner.dropShort(Stages.COLLECT_DROP_SHORT, answered.getStage().getOutput()).getOutput();
  }

  /**
   * After the rounds, SFT on (constrained query -> response): a fresh LoRA of the Generator's model
   * on the length-controlled set. Runs recorded before this step existed skip it (version).
   */
  private Optional<TrainingResult> trainOnLengthControl(DatasetRef set) {
    int version = Workflow.getVersion(Versions.FINAL_SFT, Workflow.DEFAULT_VERSION, Versions.FINAL_SFT_MAX);
    boolean wanted = !spec.getLengthControl().hasTrain() || spec.getLengthControl().getTrain();
    if (version == Workflow.DEFAULT_VERSION || !wanted) {
      return Optional.empty();
    }
    if (set.getCount() == 0) {
      log.info("{}: the length-controlled set is empty; no final SFT", runId);
      return Optional.empty();
    }
    phase.accept(Stages.TRAIN_LENGTH_CONTROL);
    TrainTask task =
        TrainTask.newBuilder()
            .setContext(runner.context(Stages.TRAIN_LENGTH_CONTROL))
            .setRole(Roles.GENERATOR)
            .setTrainingSet(set)
            .setOutputDir(RunPaths.lengthControlAdapter(runId))
            .setSeed(runner.seed(Stages.TRAIN_LENGTH_CONTROL, 0))
            .build();
    return Optional.of(runner.train(Stages.TRAIN_LENGTH_CONTROL).train(task));
  }
}
