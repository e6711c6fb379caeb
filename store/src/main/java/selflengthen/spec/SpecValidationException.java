package selflengthen.spec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A run spec that cannot start, with every problem found. The message is one line listing them
 * all, so it reads well on a terminal, in a Temporal failure and in the Web UI.
 */
public class SpecValidationException extends IllegalArgumentException {
  private final List<SpecProblem> problems;

  public SpecValidationException(List<SpecProblem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** The same, naming where the spec came from (e.g. "spec file x.yaml"). */
  public SpecValidationException(List<SpecProblem> problems, String source) {
    super(source + ": " + message(problems));
    this.problems = List.copyOf(problems);
  }

  public List<SpecProblem> problems() {
    return problems;
  }

  private static String message(List<SpecProblem> problems) {
    String list = problems.stream().map(SpecProblem::toString).collect(Collectors.joining("; "));
    return "invalid run spec (" + problems.size() + (problems.size() == 1 ? " problem): " : " problems): ")
        + list;
  }
}
