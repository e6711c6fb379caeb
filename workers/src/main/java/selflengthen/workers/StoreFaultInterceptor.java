package selflengthen.workers;

import io.temporal.activity.Activity;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.failure.ApplicationFailure;
import java.util.Optional;
import selflengthen.activities.support.StoreFaults;

/**
 * Turns a deterministic data store fault of any activity (permission denied, disk full, read-only
 * file system) into a non-retryable failure naming the run, round, stage, shard and path, so the
 * run stops at once with the cause instead of retrying for minutes (see {@link StoreFaults}).
 */
public final class StoreFaultInterceptor extends WorkerInterceptorBase {
  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      @Override
      public ActivityOutput execute(ActivityInput input) {
        try {
          return super.execute(input);
        } catch (RuntimeException e) {
          String type = Activity.getExecutionContext().getInfo().getActivityType();
          Optional<ApplicationFailure> fault = StoreFaults.failure(type, input.getArguments(), e);
          if (fault.isPresent()) {
            throw fault.get();
          }
          throw e;
        }
      }
    };
  }
}
