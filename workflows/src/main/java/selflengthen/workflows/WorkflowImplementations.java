package selflengthen.workflows;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkflowImplementationOptions;
import java.util.ArrayList;
import java.util.List;
import selflengthen.payload.InvalidPayloadException;

/**
 * The workflow implementations a control-queue worker registers:
 * {@code WorkflowImplementations.register(factory.newWorker(TaskQueues.CONTROL))}.
 */
public final class WorkflowImplementations {
  public static final List<Class<?>> ALL = List.of(SelfLengthenRunImpl.class, SelfLengthenRoundImpl.class, SelfLengthenEvalImpl.class);

  private WorkflowImplementations() {}

  public static void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(options(), ALL.toArray(new Class<?>[0]));
  }

  /** With options, e.g. per-activity-type overrides of {@link ActivityOptionsFactory}'s timeouts. */
  public static void register(Worker worker, WorkflowImplementationOptions options) {
    worker.registerWorkflowImplementationTypes(options(options), ALL.toArray(new Class<?>[0]));
  }

  /**
   * An input that does not decode (a typo or a wrong type from the Temporal CLI or another SDK)
   * fails the workflow, naming every problem; by default it would fail the workflow task, which
   * Temporal retries forever.
   */
  public static WorkflowImplementationOptions options() {
    return options(WorkflowImplementationOptions.getDefaultInstance());
  }

  public static WorkflowImplementationOptions options(WorkflowImplementationOptions base) {
    List<Class<? extends Throwable>> fail = new ArrayList<>();
    if (base.getFailWorkflowExceptionTypes() != null) {
      fail.addAll(List.of(base.getFailWorkflowExceptionTypes()));
    }
    fail.add(InvalidPayloadException.class);
    @SuppressWarnings("unchecked")
    Class<? extends Throwable>[] types = fail.toArray(new Class[0]);
    return base.toBuilder().setFailWorkflowExceptionTypes(types).build();
  }
}
