package selflengthen.activities.testing;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;

/**
 * Runs activity implementations in Temporal's test activity environment (a real activity context:
 * heartbeats, cancellation, attempt numbers), one attempt per call: a test retries by calling again.
 */
public final class ActivityHarness implements AutoCloseable {
  public final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  public ActivityHarness(Object... activities) {
    env.registerActivitiesImplementations(activities);
  }

  public <T> T stub(Class<T> type) {
    return stub(type, Duration.ofSeconds(30));
  }

  /** Heartbeats reach the listener at most every 0.8 x the heartbeat timeout (SDK throttling). */
  public <T> T stub(Class<T> type, Duration heartbeatTimeout) {
    return env.newActivityStub(
        type,
        ActivityOptions.newBuilder()
            .setStartToCloseTimeout(Duration.ofSeconds(60))
            .setHeartbeatTimeout(heartbeatTimeout)
            .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
            .build());
  }

  @Override
  public void close() {
    env.close();
  }
}
