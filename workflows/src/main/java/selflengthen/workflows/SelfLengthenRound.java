package selflengthen.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import selflengthen.v1.RoundInput;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RoundSettings;

/**
 * One round (macro-iteration) of Self-Lengthen, a child of {@link SelfLengthenRun} with workflow id
 * {@code <run_id>/round-<k>} on the control queue: self_instruct, respond, drop_short, extend,
 * drop_short_extended, training_sets, train_generator + train_extender, measure, and eval (the new
 * Generator on spec.evaluation's benchmark file) when the spec names one.
 *
 * <p>Temporal workflows cannot query one another, so the round pushes small {@link RoundProgress}
 * messages to its parent (signal {@code roundProgress}) and the parent forwards pause and parallelism
 * to it (signal {@code settings}).
 */
@WorkflowInterface
public interface SelfLengthenRound {
  String TYPE = "SelfLengthenRound";

  @WorkflowMethod(name = TYPE)
  RoundResult run(RoundInput input);

  /** Pause and parallelism forwarded by the run; applied only when newer than the last applied. */
  @SignalMethod(name = "settings")
  void settings(RoundSettings settings);

  @QueryMethod(name = "status")
  RoundProgress status();
}
