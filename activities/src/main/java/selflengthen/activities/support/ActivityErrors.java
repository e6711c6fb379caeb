package selflengthen.activities.support;

import io.temporal.failure.ApplicationFailure;
import selflengthen.activities.ActivityFailures;

/** The non-retryable failures activities throw: bad input and invalid specs stop the run at once. */
public final class ActivityErrors {
  /** A shard whose stage already ended without it (straggler cut): nobody waits for its result. */
  public static final String SHARD_ABANDONED = "ShardAbandoned";

  private ActivityErrors() {}

  public static ApplicationFailure badInput(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, ActivityFailures.BAD_INPUT);
  }

  public static ApplicationFailure badInput(String message, Throwable cause) {
    return ApplicationFailure.newNonRetryableFailureWithCause(message, ActivityFailures.BAD_INPUT, cause);
  }

  public static ApplicationFailure specValidation(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, ActivityFailures.SPEC_VALIDATION);
  }

  public static ApplicationFailure abandoned(String callId, String stageOutput) {
    return ApplicationFailure.newNonRetryableFailure(
        callId + ": stopped, the stage ended without this shard (" + stageOutput + " is complete)",
        SHARD_ABANDONED);
  }
}
