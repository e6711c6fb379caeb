package selflengthen.workers.demo;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import selflengthen.activities.train.TrainActivitiesImpl.Progress;

/**
 * What the running training activities of a round last heartbeated (step, loss, tokens/s), read
 * from the round workflow's pending activities: training has no shards, so the run's status alone
 * would only say "0/0".
 */
final class TrainingHeartbeats {
  private TrainingHeartbeats() {}

  /**
   * @param roundWorkflowId {@code <run>/round-<k>}
   * @return training stage -> "step 3/12, loss 2.310, 4800 tokens/s", for those that reported a step
   */
  static Map<String, String> read(WorkflowClient client, String roundWorkflowId) {
    Map<String, String> out = new TreeMap<>();
    List<PendingActivityInfo> pending = client.getWorkflowServiceStubs().blockingStub()
        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(roundWorkflowId))
            .build())
        .getPendingActivitiesList();
    for (PendingActivityInfo a : pending) {
      if (!a.hasHeartbeatDetails()) {
        continue;
      }
      Progress p = client.getOptions().getDataConverter()
          .fromPayloads(0, Optional.of(a.getHeartbeatDetails()), Progress.class, Progress.class);
      if (p != null && p.stage() != null && p.totalSteps() > 0) {
        out.put(p.stage(), String.format(Locale.ROOT, "step %d/%d, loss %.3f, %.0f tokens/s",
            p.step(), p.totalSteps(), p.loss(), p.tokensPerSecond()));
      }
    }
    return out;
  }
}
