package selflengthen.workflows;

import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import selflengthen.v1.Language;
import selflengthen.v1.Measurement;
import selflengthen.v1.Parallelism;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;
import selflengthen.v1.Training;

/**
 * One in-memory Temporal service with the three queues' workers, the real workflows and the
 * scripted activity doubles. Real time (no time skipping): heartbeats, cancellation and retries
 * behave as on a server.
 */
final class TestRun implements AutoCloseable {
  final CallLog log = new CallLog();
  final ScriptedControlActivities control = new ScriptedControlActivities(log);
  final ScriptedPreferenceActivities preference = new ScriptedPreferenceActivities(log);
  final TestWorkflowEnvironment env;
  final WorkflowClient client;

  TestRun() {
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker controlWorker = env.newWorker(TaskQueues.CONTROL);
    WorkflowImplementations.register(controlWorker);
    controlWorker.registerActivitiesImplementations(control, preference);
    // Cancellation reaches an activity only through a heartbeat; don't let throttling hold it back.
    Worker inference =
        env.newWorker(
            TaskQueues.INFERENCE,
            WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(Duration.ofMillis(100)).build());
    inference.registerActivitiesImplementations(new ScriptedInferenceActivities(log), preference);
    env.newWorker(TaskQueues.TRAIN).registerActivitiesImplementations(new ScriptedTrainActivities(log), preference);
    env.start();
    client = env.getWorkflowClient();
  }

  /** A complete (already resolved) spec: the doubles' prepareRun returns it as is. */
  static RunSpec.Builder spec(String runId, int rounds, int instructions, int heldOut) {
    return RunSpec.newBuilder()
        .setRunId(runId)
        .setDataRoot("/unused")
        .setLanguage(Language.LANGUAGE_EN)
        .setSeed(7)
        .setRounds(rounds)
        .setSelfInstruct(
            SelfInstruct.newBuilder().setSeedFile("seeds.jsonl").setInstructionsPerRound(instructions))
        .setParallelism(
            Parallelism.newBuilder()
                .setShardSize(2)
                .setMaxConcurrentShards(3)
                .setStragglerFraction(1.0f))
        .setMeasurement(Measurement.newBuilder().setHeldOutCount(heldOut))
        .setTraining(Training.newBuilder().setConcurrent(true));
  }

  SelfLengthenRun stub(String runId) {
    return client.newWorkflowStub(
        SelfLengthenRun.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(runId)
            .setTaskQueue(TaskQueues.CONTROL)
            .setWorkflowExecutionTimeout(Duration.ofSeconds(60))
            .build());
  }

  /** Starts the run; returns the first execution's run id. */
  String start(SelfLengthenRun run, RunSpec spec) {
    return WorkflowClient.start(run::run, spec, null).getRunId();
  }

  SelfLengthenRun running(String runId) {
    return client.newWorkflowStub(SelfLengthenRun.class, runId);
  }

  <T> T result(String workflowId, Class<T> type) {
    return WorkflowStub.fromTyped(client.newWorkflowStub(SelfLengthenRun.class, workflowId))
        .getResult(type);
  }

  /** Every execution of a workflow id, following continue-as-new from the first run. */
  List<WorkflowExecutionHistory> chain(String workflowId, String firstRunId) {
    List<WorkflowExecutionHistory> out = new ArrayList<>();
    String runId = firstRunId;
    while (runId != null) {
      WorkflowExecutionHistory h = client.fetchHistory(workflowId, runId);
      out.add(h);
      HistoryEvent last = h.getLastEvent();
      runId =
          last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    return out;
  }

  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      ScriptedInferenceActivities.sleep(20);
    }
  }

  @Override
  public void close() {
    log.gate.countDown();
    env.close();
  }
}
