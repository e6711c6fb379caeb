package selflengthen.workers;

import io.temporal.activity.ActivityExecutionContext;
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
      /** Captured here: the activity's context is gone by the time its failure comes back. */
      private String type = "?";

      @Override
      public void init(ActivityExecutionContext context) {
        type = context.getInfo().getActivityType();
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        try {
          return super.execute(input);
        } catch (RuntimeException e) {
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
