package selflengthen.activities.eval;

import java.util.ArrayList;
import java.util.List;
import selflengthen.spec.SpecDefaults;
import selflengthen.spec.SpecProblem;
import selflengthen.spec.SpecValidationException;
import selflengthen.spec.SpecValidator;
import selflengthen.v1.RunSpec;

/**
 * The spec of a standalone evaluation: a {@link RunSpec} of which only the evaluation's fields
 * count (run id, data root, language, the generator and judge models, sampling, parallelism,
 * evaluation). Those are checked with the run's own rules; the method's fields (seed file, training,
 * ...) are not needed and not checked.
 */
public final class EvalSpecs {
  private static final List<String> USED =
      List.of("run_id", "data_root", "language", "sampling", "models.generator", "models.max_batch_size",
          "parallelism", "measurement.sampling", "evaluation");

  private EvalSpecs() {}

  /** Defaults filled in, as a run's. */
  public static RunSpec resolve(RunSpec spec) {
    return SpecDefaults.resolve(spec);
  }

  /** Problems of a resolved evaluation spec; {@code files}: also the files it names. */
  public static List<SpecProblem> problems(RunSpec resolved, boolean files) {
    List<SpecProblem> all = new ArrayList<>(SpecValidator.structuralProblems(resolved));
    if (files) {
      all.addAll(SpecValidator.fileProblems(resolved));
    }
    boolean judge = resolved.getEvaluation().getJudge();
    List<SpecProblem> used = new ArrayList<>();
    if (resolved.getEvaluation().getDataset().isBlank()) {
      used.add(new SpecProblem("evaluation.dataset", "missing (required: the benchmark JSONL file)"));
    }
    for (SpecProblem p : all) {
      boolean counts = USED.stream().anyMatch(f -> p.field().equals(f) || p.field().startsWith(f + "."))
          || (judge && p.field().startsWith("models.judge"));
      if (counts && !used.contains(p)) {
        used.add(p);
      }
    }
    return used;
  }

  /**
   * Resolves and checks (files too).
   *
   * @throws SpecValidationException listing every problem
   */
  public static RunSpec validate(RunSpec spec) {
    RunSpec resolved = resolve(spec);
    List<SpecProblem> problems = problems(resolved, true);
    if (!problems.isEmpty()) {
      throw new SpecValidationException(problems);
    }
    return resolved;
  }
}
