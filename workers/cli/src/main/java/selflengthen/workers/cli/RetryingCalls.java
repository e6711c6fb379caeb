package selflengthen.workers.cli;

import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflow.v1.PendingChildExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.util.ArrayList;
import java.util.List;
import selflengthen.workers.TemporalConnection;

/**
 * Activities of a running run, and of the round workflows it started, that failed and wait for
 * their next attempt, with the failure: what `status` shows beside the progress, so a stage that
 * keeps failing does not look like one that is about to finish.
 */
final class RetryingCalls {
  /** Rounds start stage workflows: two levels of children are enough. */
  private static final int MAX_DEPTH = 3;

  private RetryingCalls() {}

  /** One line per retrying activity ("retrying TYPE (attempt N): MESSAGE"); empty when none. */
  static List<String> of(TemporalConnection conn, String workflowId) {
    List<String> lines = new ArrayList<>();
    collect(conn, workflowId, lines, 0);
    return lines;
  }

  private static void collect(TemporalConnection conn, String workflowId, List<String> lines, int depth) {
    DescribeWorkflowExecutionResponse described;
    try {
      described =
          conn.client()
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(conn.namespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .build());
    } catch (StatusRuntimeException gone) {
      return; // a child that just closed: nothing pending there
    }
    for (PendingActivityInfo a : described.getPendingActivitiesList()) {
      if (a.getAttempt() > 1 && a.hasLastFailure()) {
        lines.add("retrying " + a.getActivityType().getName() + " (attempt " + a.getAttempt() + "): "
            + a.getLastFailure().getMessage());
      }
    }
    if (depth + 1 < MAX_DEPTH) {
      for (PendingChildExecutionInfo child : described.getPendingChildrenList()) {
        collect(conn, child.getWorkflowId(), lines, depth + 1);
      }
    }
  }
}
