package selflengthen.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import selflengthen.v1.ParallelismUpdate;
import selflengthen.v1.RoundProgress;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.v1.RunStatus;

/**
 * One Self-Lengthen run: validates the spec, runs the rounds as {@link SelfLengthenRound} children,
 * continuing-as-new between rounds, then collects long.jsonl and the length-controlled set.
 *
 * <p>Started with only a spec (from our CLI, the Temporal CLI or the Web UI): {@code state} is then
 * null. Continue-as-new and {@code resume} pass the state carried so far. The workflow id is the
 * spec's run_id.
 */
@WorkflowInterface
public interface SelfLengthenRun {
  String TYPE = "SelfLengthenRun";

  @WorkflowMethod(name = TYPE)
  RunResult run(RunSpec spec, RunState state);

  /** Running shards finish; no new shard starts until {@link #unpause}. */
  @SignalMethod(name = "pause")
  void pause();

  @SignalMethod(name = "unpause")
  void unpause();

  /** Change how many shards of a stage may be in flight at once; returns the new value. */
  @UpdateMethod(name = "setParallelism")
  int setParallelism(ParallelismUpdate update);

  @UpdateValidatorMethod(updateName = "setParallelism")
  void validateParallelism(ParallelismUpdate update);

  @QueryMethod(name = "status")
  RunStatus status();

  /**
   * Progress of the running round, sent by the round child (workflows cannot query each other).
   * Internal: not for users.
   */
  @SignalMethod(name = "roundProgress")
  void roundProgress(RoundProgress progress);
}
