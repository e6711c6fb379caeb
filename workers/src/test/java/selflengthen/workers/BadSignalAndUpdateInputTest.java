package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.util.Map;
import org.junit.jupiter.api.Test;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunState;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;
import selflengthen.workflows.WorkflowImplementations;

/**
 * A bad update or signal input from a foreign client (plain JSON with a typo) is refused on its
 * own: it does not fail the run, although a bad workflow input does.
 */
class BadSignalAndUpdateInputTest {
  /** A run that waits until it is cancelled. */
  public static class WaitingRun extends ValidatingRun {
    @Override
    public RunResult run(RunSpec spec, RunState state) {
      Workflow.await(() -> false);
      return RunResult.getDefaultInstance();
    }
  }

  @Test
  void aTypoInSetParallelismIsRefusedAndTheRunGoesOn() {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder()
            .setDataConverter(selflengthen.payload.Payloads.dataConverter()).build())
        .build());
    try {
      env.newWorker(TaskQueues.CONTROL).registerWorkflowImplementationTypes(
          WorkflowImplementations.options(), WaitingRun.class);
      env.start();
      SelfLengthenRun run = env.getWorkflowClient().newWorkflowStub(SelfLengthenRun.class,
          WorkflowOptions.newBuilder().setWorkflowId("w").setTaskQueue(TaskQueues.CONTROL).build());
      WorkflowClient.start(run::run, RunSpec.newBuilder().setRunId("w").build(), null);
      WorkflowStub untyped = env.getWorkflowClient().newUntypedWorkflowStub("w");
      // A Map travels as json/plain without messageType: what the Temporal CLI sends.
      Exception e = assertThrows(Exception.class,
          () -> untyped.update("setParallelism", Integer.class, Map.of("max_concurent_shards", 3)));
      String all = e.toString() + (e.getCause() == null ? "" : " / " + e.getCause());
      assertTrue(all.contains("max_concurent_shards: unknown field (did you mean max_concurrent_shards?)"), all);
      assertEquals(4, (int) untyped.update("setParallelism", Integer.class, Map.of("max_concurrent_shards", 4)));
      untyped.signal("roundProgress", Map.of("roudn", 1));
      assertEquals(4, (int) untyped.update("setParallelism", Integer.class, Map.of("max_concurrent_shards", 4)));
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
          env.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder().setNamespace(env.getNamespace())
                  .setExecution(untyped.getExecution()).build()).getWorkflowExecutionInfo().getStatus());
    } finally {
      env.close();
    }
  }
}
