package selflengthen.activities.eval;

import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import selflengthen.activities.EvalControlActivities;
import selflengthen.activities.RunPaths;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.support.EvalDatasets;
import selflengthen.spec.SpecFiles;
import selflengthen.spec.SpecProblem;
import selflengthen.spec.SpecValidationException;
import selflengthen.store.DataStore;
import selflengthen.v1.EvalScores;
import selflengthen.v1.PrepareEvalTask;
import selflengthen.v1.PreparedEval;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ScoreEvalTask;

/** The control side of an evaluation: setup ({@link #prepareEval}) and scoring ({@link EvalScoring}). */
public final class EvalControlActivitiesImpl implements EvalControlActivities {
  private final DataRoots roots;
  private final ModelProvider models;

  public EvalControlActivitiesImpl(DataRoots roots, ModelProvider models) {
    this.roots = roots;
    this.models = models;
  }

  @Override
  public PreparedEval prepareEval(PrepareEvalTask task) {
    RunSpec spec = EvalSpecs.resolve(task.getContext().getSpec());
    List<SpecProblem> structural = EvalSpecs.problems(spec, false);
    if (!structural.isEmpty()) {
      throw ActivityErrors.specValidation(new SpecValidationException(structural).getMessage());
    }
    List<SpecProblem> problems = new ArrayList<>(EvalSpecs.problems(spec, true));
    if (problems.isEmpty()) {
      check(problems, "models.generator", spec);
      if (spec.getEvaluation().getJudge()) {
        check(problems, "models.judge", spec);
      }
    }
    if (!problems.isEmpty()) {
      String list = String.join("; ", problems.stream().map(SpecProblem::toString).toList());
      throw ActivityErrors.badInput("unusable evaluation inputs: " + list);
    }
    DataStore store = roots.store(spec);
    if (store.exists(RunPaths.specFile(spec.getRunId()))) {
      throw ActivityErrors.badInput("run_id: '" + spec.getRunId() + "' is a Self-Lengthen run in "
          + store.root() + "; give the evaluation another id");
    }
    store.writeString(RunPaths.evalSpecFile(spec.getRunId()), SpecFiles.toJson(spec));
    var context = task.getContext().toBuilder().setSpec(spec).build();
    return PreparedEval.newBuilder()
        .setSpec(spec)
        .setDataset(
            EvalDatasets.ensure(store, context, spec.getEvaluation().getDataset(), task.getDatasetOutputPath()))
        .build();
  }

  /** Whether this worker's model provider can serve the role (an endpoint it has no backend for, ...). */
  private void check(List<SpecProblem> problems, String field, RunSpec spec) {
    var ref = field.equals("models.judge") ? spec.getModels().getJudge() : spec.getModels().getGenerator();
    try {
      models.check(field, ref);
    } catch (ApplicationFailure e) {
      problems.add(new SpecProblem(field, e.getOriginalMessage()));
    }
  }

  @Override
  public EvalScores scoreEval(ScoreEvalTask task) {
    RunSpec spec = task.getContext().getSpec();
    return new EvalScoring(roots.store(spec)).score(task);
  }
}
