package selflengthen.workflows;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkflowImplementationOptions;
import java.util.List;

/**
 * The workflow implementations a control-queue worker registers:
 * {@code WorkflowImplementations.register(factory.newWorker(TaskQueues.CONTROL))}.
 */
public final class WorkflowImplementations {
  public static final List<Class<?>> ALL = List.of(SelfLengthenRunImpl.class, SelfLengthenRoundImpl.class, SelfLengthenEvalImpl.class);

  private WorkflowImplementations() {}

  public static void register(Worker worker) {
    worker.registerWorkflowImplementationTypes(ALL.toArray(new Class<?>[0]));
  }

  /** With options, e.g. per-activity-type overrides of {@link ActivityOptionsFactory}'s timeouts. */
  public static void register(Worker worker, WorkflowImplementationOptions options) {
    worker.registerWorkflowImplementationTypes(options, ALL.toArray(new Class<?>[0]));
  }
}
