package selflengthen.workers.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import java.util.Optional;
import selflengthen.workers.TemporalConnection;

/** Looks up a run's latest workflow execution. */
final class Runs {
  private Runs() {}

  /** The status of the run's latest execution, or empty when the server knows no such run. */
  static Optional<WorkflowExecutionStatus> status(TemporalConnection conn, String runId) {
    try {
      return Optional.of(conn.stubs().blockingStub()
          .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
              .setNamespace(conn.namespace())
              .setExecution(WorkflowExecution.newBuilder().setWorkflowId(runId))
              .build())
          .getWorkflowExecutionInfo().getStatus());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** Fails unless the run exists; returns its status. */
  static WorkflowExecutionStatus require(TemporalConnection conn, String runId) {
    return status(conn, runId).orElseThrow(() -> new CliException(
        "no run '" + runId + "' in namespace " + conn.namespace() + " at " + conn.address()));
  }

  static String describe(WorkflowExecutionStatus status) {
    return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "").toLowerCase().replace('_', ' ');
  }
}
