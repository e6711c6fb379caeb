package selflengthen.workers.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.activities.Stages;
import selflengthen.activities.TrainActivities;
import selflengthen.activities.train.TrainActivitiesImpl.Progress;
import selflengthen.payload.Payloads;
import selflengthen.v1.StageContext;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/** The demo reads each running training's last heartbeat from the round workflow, by stage. */
@Tag("integration")
class TrainingHeartbeatsTest {
  static final CountDownLatch RELEASE = new CountDownLatch(1);

  @WorkflowInterface
  public interface TwoTrainings {
    @WorkflowMethod(name = "TestTwoTrainings")
    void run();
  }

  public static class TwoTrainingsImpl implements TwoTrainings {
    @Override
    public void run() {
      TrainActivities train = Workflow.newActivityStub(TrainActivities.class, ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(60)).setHeartbeatTimeout(Duration.ofSeconds(30)).build());
      Promise<TrainingResult> g = Async.function(train::train, task(Stages.TRAIN_GENERATOR));
      Promise<TrainingResult> e = Async.function(train::train, task(Stages.TRAIN_EXTENDER));
      Promise.allOf(g, e).get();
    }

    static TrainTask task(String stage) {
      return TrainTask.newBuilder().setContext(StageContext.newBuilder().setStage(stage)).build();
    }
  }

  /** Heartbeats like the real activity, then waits for the test. */
  static final class Heartbeating implements TrainActivities {
    @Override
    public TrainingResult train(TrainTask task) {
      boolean generator = task.getContext().getStage().equals(Stages.TRAIN_GENERATOR);
      Activity.getExecutionContext().heartbeat(new Progress(generator ? 3 : 1, 12, generator ? 2.31 : 3.0,
          generator ? 4800 : 4100, null, task.getContext().getStage()));
      try {
        RELEASE.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
      return TrainingResult.getDefaultInstance();
    }
  }

  @Test
  void eachRunningTrainingIsReportedUnderItsStage() throws Exception {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
        .setUseTimeskipping(false)
        .setWorkflowClientOptions(WorkflowClientOptions.newBuilder().setDataConverter(Payloads.dataConverter()).build())
        .build());
    try {
      var worker = env.newWorker("q");
      worker.registerWorkflowImplementationTypes(TwoTrainingsImpl.class);
      worker.registerActivitiesImplementations(new Heartbeating());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      WorkflowClient.start(client.newWorkflowStub(TwoTrainings.class,
          WorkflowOptions.newBuilder().setTaskQueue("q").setWorkflowId("r/round-1").build())::run);

      Map<String, String> seen = Map.of();
      long deadline = System.currentTimeMillis() + 20_000;
      while (seen.size() < 2 && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        seen = TrainingHeartbeats.read(client, "r/round-1");
      }
      assertEquals(Map.of(
          Stages.TRAIN_GENERATOR, "step 3/12, loss 2.310, 4800 tokens/s",
          Stages.TRAIN_EXTENDER, "step 1/12, loss 3.000, 4100 tokens/s"), seen);
    } finally {
      RELEASE.countDown();
      env.close();
    }
  }
}
