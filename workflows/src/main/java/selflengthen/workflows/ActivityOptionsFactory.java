package selflengthen.workflows;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import selflengthen.activities.ActivityFailures;

/**
 * Activity options per task queue. Inference and training are long and heartbeat, so a dead worker
 * is noticed within the heartbeat timeout and the shard restarts elsewhere, continuing from what it
 * committed; their start-to-close bounds are generous on purpose (a shard of 32 long samples on a
 * CPU takes hours). Control activities do not heartbeat. No schedule-to-start limit: work may wait for
 * a GPU worker to be attached.
 *
 * <p>A worker can override any of these per activity type (e.g. "RespondShard") through
 * {@code WorkflowImplementationOptions.setActivityOptions}; the SDK merges those over the options
 * built here.
 */
public final class ActivityOptionsFactory {
  public static final Duration CONTROL_START_TO_CLOSE = Duration.ofHours(2);
  public static final Duration INFERENCE_START_TO_CLOSE = Duration.ofHours(24);
  public static final Duration INFERENCE_HEARTBEAT = Duration.ofSeconds(60);
  public static final Duration TRAIN_START_TO_CLOSE = Duration.ofDays(7);
  public static final Duration TRAIN_HEARTBEAT = Duration.ofMinutes(5);

  public static final Duration RETRY_INITIAL_INTERVAL = Duration.ofSeconds(1);
  public static final double RETRY_BACKOFF = 2.0;
  public static final Duration CONTROL_RETRY_MAX_INTERVAL = Duration.ofMinutes(1);
  public static final Duration LONG_RETRY_MAX_INTERVAL = Duration.ofMinutes(5);
  public static final int CONTROL_MAX_ATTEMPTS = 5;
  public static final int INFERENCE_MAX_ATTEMPTS = 10;
  public static final int TRAIN_MAX_ATTEMPTS = 5;

  private ActivityOptionsFactory() {}

  public static ActivityOptions control() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.CONTROL)
        .setStartToCloseTimeout(CONTROL_START_TO_CLOSE)
        .setRetryOptions(retry(CONTROL_RETRY_MAX_INTERVAL, CONTROL_MAX_ATTEMPTS))
        .build();
  }

  /**
   * Control steps as local activities: same timeout and retries as {@link #control()}. The
   * arguments stay out of the history's marker (a merge task lists every finished shard; every task
   * carries the spec); the result is recorded as an activity's would be.
   */
  public static LocalActivityOptions localControl(String callId) {
    return LocalActivityOptions.newBuilder()
        .setStartToCloseTimeout(CONTROL_START_TO_CLOSE)
        .setRetryOptions(retry(CONTROL_RETRY_MAX_INTERVAL, CONTROL_MAX_ATTEMPTS))
        .setDoNotIncludeArgumentsIntoMarker(true)
        .setSummary(callId)
        .build();
  }

  /**
   * Shards are abandoned when cut (straggler cut, or their workflow is cancelled): the stage does not
   * wait for them and no cancel request goes to the server. A request-cancel command for a shard that
   * completed while the workflow task was in flight makes Temporal's in-memory server (the embedded
   * mode) reject the task forever ("ACTIVITY_UNKNOWN"), hanging the run. An abandoned shard stops by
   * itself instead: its activity checks {@code ShardTask.stage_output_path} in the manifest before
   * each sample, and its heartbeats fail once its workflow execution has closed.
   */
  public static ActivityOptions inference() {
    return inference(INFERENCE_HEARTBEAT);
  }

  /** {@link #inference()} with the spec's heartbeat timeout (how soon a dead worker's shard moves). */
  public static ActivityOptions inference(Duration heartbeat) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.INFERENCE)
        .setStartToCloseTimeout(INFERENCE_START_TO_CLOSE)
        .setHeartbeatTimeout(heartbeat)
        .setCancellationType(ActivityCancellationType.ABANDON)
        .setRetryOptions(retry(LONG_RETRY_MAX_INTERVAL, INFERENCE_MAX_ATTEMPTS))
        .build();
  }

  public static ActivityOptions train() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.TRAIN)
        .setStartToCloseTimeout(TRAIN_START_TO_CLOSE)
        .setHeartbeatTimeout(TRAIN_HEARTBEAT)
        .setRetryOptions(retry(LONG_RETRY_MAX_INTERVAL, TRAIN_MAX_ATTEMPTS))
        .build();
  }

  /** Options for one call: the logical call id shows as the activity's summary in the Web UI. */
  static ActivityOptions forCall(ActivityOptions base, String callId) {
    return ActivityOptions.newBuilder(base).setSummary(callId).build();
  }

  static RetryOptions retry(Duration maxInterval, int maxAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(RETRY_INITIAL_INTERVAL)
        .setBackoffCoefficient(RETRY_BACKOFF)
        .setMaximumInterval(maxInterval)
        .setMaximumAttempts(maxAttempts)
        .setDoNotRetry(ActivityFailures.NON_RETRYABLE.toArray(new String[0]))
        .build();
  }
}
