package selflengthen.workflows;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import selflengthen.v1.EvalInput;
import selflengthen.v1.EvalResult;
import selflengthen.v1.EvalStatus;

/**
 * A benchmark evaluation ({@code selflengthen eval --model|--endpoint}) on the control queue, with
 * workflow id = the evaluation id: the benchmark rows are copied into the store, the model answers
 * them in shards on the inference queue (committed sample by sample, resumed like every stage), and
 * the answers are scored and reported under {@code runs/<id>/round-0/eval/}. Started again with the
 * same id, it answers only the rows no finished shard holds.
 */
@WorkflowInterface
public interface SelfLengthenEval {
  String TYPE = "SelfLengthenEval";

  @WorkflowMethod(name = TYPE)
  EvalResult run(EvalInput input);

  @QueryMethod(name = "status")
  EvalStatus status();
}
