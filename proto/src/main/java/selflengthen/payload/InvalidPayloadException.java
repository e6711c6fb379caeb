package selflengthen.payload;

import io.temporal.common.converter.DataConverterException;
import java.util.List;

/**
 * A payload from outside (the Temporal CLI, the Web UI, another SDK) that does not make a valid
 * message: unknown fields, wrong types, bad syntax. Workflows register it as a fail-workflow
 * exception type, so a run started with a bad input fails at once, naming every problem, instead
 * of retrying its first workflow task forever.
 */
public final class InvalidPayloadException extends DataConverterException {
  private final transient List<FieldProblem> problems;

  public InvalidPayloadException(String what, List<FieldProblem> problems) {
    super(JsonMessages.describe(what, problems), (Throwable) null);
    this.problems = List.copyOf(problems);
  }

  public List<FieldProblem> problems() {
    return problems;
  }
}
