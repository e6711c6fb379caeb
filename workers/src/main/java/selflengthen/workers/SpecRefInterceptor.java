package selflengthen.workers;

import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import selflengthen.activities.support.SpecSnapshots;

/**
 * Gives every activity (local ones too) its inputs with the spec filled in where the workflow sent
 * it by reference ({@link SpecSnapshots}). Registered last, so it wraps the other interceptors and
 * they see the spec as well.
 */
public final class SpecRefInterceptor extends WorkerInterceptorBase {
  private final SpecSnapshots specs;

  public SpecRefInterceptor(SpecSnapshots specs) {
    this.specs = specs;
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      @Override
      public ActivityOutput execute(ActivityInput input) {
        Object[] args = input.getArguments();
        Object[] resolved = null;
        for (int i = 0; i < args.length; i++) {
          Object r = specs.resolve(args[i]);
          if (r != args[i]) {
            if (resolved == null) {
              resolved = args.clone();
            }
            resolved[i] = r;
          }
        }
        return super.execute(resolved == null ? input : new ActivityInput(input.getHeader(), resolved));
      }
    };
  }
}
