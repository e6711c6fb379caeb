package selflengthen.activities;

import java.util.List;

/**
 * Failure types that no retry can fix. Implementations throw
 * {@code ApplicationFailure.newNonRetryableFailure(message, TYPE)} with one of these, and the
 * workflows' retry policies list them as non-retryable too (in case an implementation throws the
 * failure as retryable), so the run stops at once with the message.
 */
public final class ActivityFailures {
  /** The run spec is invalid (prepareRun). The message names the field and the rule broken. */
  public static final String SPEC_VALIDATION = "SpecValidationException";
  /** An input the activity was given cannot be used (missing file, malformed row, path escaping the root). */
  public static final String BAD_INPUT = "BadInputException";

  public static final List<String> NON_RETRYABLE = List.of(SPEC_VALIDATION, BAD_INPUT);

  private ActivityFailures() {}
}
