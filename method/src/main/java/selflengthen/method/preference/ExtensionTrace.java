package selflengthen.method.preference;

import java.util.List;
import java.util.Objects;
import selflengthen.method.ExtensionAcceptance;

/**
 * What one successful extension attempt leaves for preference pairs: the instruction, the
 * response it started from, the accepted extended response, and optionally the texts on the way:
 * {@code steps}, the accepted micro-iteration results before the final one (shorter than it, in
 * the order they were accepted), and {@code checkRejected}, the candidates the response check
 * refused. An extension row of the round has only the first three: {@link #of}.
 */
public record ExtensionTrace(
    long row,
    int attempt,
    String instruction,
    String original,
    String accepted,
    List<String> steps,
    List<String> checkRejected) {

  public ExtensionTrace {
    Objects.requireNonNull(instruction, "instruction");
    Objects.requireNonNull(original, "original");
    Objects.requireNonNull(accepted, "accepted");
    steps = steps == null ? List.of() : List.copyOf(steps);
    checkRejected = checkRejected == null ? List.of() : List.copyOf(checkRejected);
  }

  /**
   * The attempt as preference pairs see it: the original, the best, the accepted texts the best
   * replaced and the candidates the response check refused. Built here, not in the attempt, so
   * that the method's rules do not depend on preference pairs.
   */
  public static ExtensionTrace of(ExtensionAcceptance.Attempt attempt, long row, int number,
      String instruction) {
    return new ExtensionTrace(row, number, instruction, attempt.original(), attempt.best(),
        attempt.steps(), attempt.refused());
  }

  /** The trace an extension row gives: no intermediate texts. */
  public static ExtensionTrace of(long row, int attempt, String instruction, String original,
      String accepted) {
    return new ExtensionTrace(row, attempt, instruction, original, accepted, List.of(), List.of());
  }
}
