package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.activities.support.StoreFaults;
import selflengthen.store.StoreException;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageContext;
import selflengthen.workers.server.EmbeddedTemporal;

/** A worker turns a permission denied or a full disk into one non-retryable attempt. */
@Tag("integration")
class StoreFaultInterceptorTest {
  static final AtomicInteger ATTEMPTS = new AtomicInteger();
  static volatile RuntimeException fault;

  @WorkflowInterface
  public interface Flow {
    @WorkflowMethod
    void run();
  }

  @ActivityInterface
  public interface Shards {
    void runShard(ShardTask task);
  }

  public static final class FlowImpl implements Flow {
    @Override
    public void run() {
      Workflow.newActivityStub(
              Shards.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofSeconds(5))
                  .setRetryOptions(
                      RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(100)).build())
                  .build())
          .runShard(
              ShardTask.newBuilder()
                  .setContext(
                      StageContext.newBuilder()
                          .setSpec(RunSpec.newBuilder().setRunId("r1"))
                          .setRound(1)
                          .setStage("respond")
                          .setCallId("r1/round-1/respond/shard-4"))
                  .build());
    }
  }

  public static final class FailingShards implements Shards {
    @Override
    public void runShard(ShardTask task) {
      ATTEMPTS.incrementAndGet();
      throw fault;
    }
  }

  @Test
  void deterministicStoreFaultsFailTheFirstAttemptNamingWhere() {
    try (EmbeddedTemporal server = EmbeddedTemporal.start(0);
        TemporalConnection conn =
            TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10))) {
      WorkerFactory factory =
          WorkerFactory.newInstance(
              conn.client(),
              WorkerFactoryOptions.newBuilder()
                  .setWorkerInterceptors(new StoreFaultInterceptor())
                  .build());
      Worker worker = factory.newWorker("q");
      worker.registerWorkflowImplementationTypes(FlowImpl.class);
      worker.registerActivitiesImplementations(new FailingShards());
      factory.start();
      try {
        String[][] cases = {
          {"denied", "permission denied on /data/runs/r1/round-1/respond/shard-00004.jsonl.partial"},
          {"full", "disk full (no space left on device)"}
        };
        for (String[] c : cases) {
          ATTEMPTS.set(0);
          fault =
              c[0].equals("denied")
                  ? new StoreException(
                      "cannot open runs/r1/round-1/respond/shard-00004.jsonl for appending",
                      new AccessDeniedException("/data/runs/r1/round-1/respond/shard-00004.jsonl.partial"))
                  : new StoreException(
                      "cannot append to runs/r1/round-1/respond/shard-00004.jsonl: No space left on device",
                      new IOException("No space left on device"));
          Flow flow =
              conn.client()
                  .newWorkflowStub(
                      Flow.class,
                      WorkflowOptions.newBuilder()
                          .setWorkflowId("r1-" + c[0])
                          .setTaskQueue("q")
                          .setWorkflowExecutionTimeout(Duration.ofSeconds(30))
                          .build());
          long t0 = System.nanoTime();
          WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, flow::run);
          long millis = (System.nanoTime() - t0) / 1_000_000;
          ApplicationFailure cause =
              assertInstanceOf(
                  ApplicationFailure.class, assertInstanceOf(ActivityFailure.class, failed.getCause()).getCause());
          assertEquals(StoreFaults.STORE_FAULT, cause.getType());
          assertTrue(cause.isNonRetryable());
          assertEquals(1, ATTEMPTS.get(), "one attempt, no retries");
          String message = cause.getOriginalMessage();
          assertTrue(
              message.startsWith("run r1, round 1, stage respond, shard 4 (activity RunShard): ")
                  && message.contains("runs/r1/round-1/respond/shard-00004.jsonl")
                  && message.contains("[" + c[1] + "]"),
              message);
          assertTrue(millis < 10_000, "failed in " + millis + " ms");
        }
      } finally {
        factory.shutdownNow();
      }
    }
  }
}
