package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import selflengthen.store.StoreException;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.server.EmbeddedTemporal;

/** status names activities that keep failing, with their failure, while Temporal retries them. */
@Tag("integration")
class RetryingCallsTest {
  @WorkflowInterface
  public interface Outer {
    @WorkflowMethod
    void run();
  }

  @WorkflowInterface
  public interface Inner {
    @WorkflowMethod
    void run();
  }

  @ActivityInterface
  public interface Store {
    void append();
  }

  public static final class OuterImpl implements Outer {
    @Override
    public void run() {
      Workflow.newChildWorkflowStub(
              Inner.class,
              io.temporal.workflow.ChildWorkflowOptions.newBuilder().setWorkflowId("r1/round-1").build())
          .run();
    }
  }

  public static final class InnerImpl implements Inner {
    @Override
    public void run() {
      Workflow.newActivityStub(
              Store.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofSeconds(5))
                  .setRetryOptions(
                      RetryOptions.newBuilder()
                          .setInitialInterval(Duration.ofMillis(200))
                          .setBackoffCoefficient(1)
                          .build())
                  .build())
          .append();
    }
  }

  public static final class FailingStore implements Store {
    @Override
    public void append() {
      throw new StoreException(
          "runs/r1/round-1/respond/shard-00003.jsonl is being written by another writer");
    }
  }

  @Test
  void aRetriedActivityOfAChildWorkflowIsNamedWithItsFailure() throws Exception {
    try (EmbeddedTemporal server = EmbeddedTemporal.start(0);
        TemporalConnection conn =
            TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10))) {
      WorkerFactory factory = WorkerFactory.newInstance(conn.client());
      Worker worker = factory.newWorker("q");
      worker.registerWorkflowImplementationTypes(OuterImpl.class, InnerImpl.class);
      worker.registerActivitiesImplementations(new FailingStore());
      factory.start();
      try {
        assertEquals(List.of(), RetryingCalls.of(conn, "nobody"));
        WorkflowClient.start(
            conn.client()
                .newWorkflowStub(
                    Outer.class, WorkflowOptions.newBuilder().setWorkflowId("r1").setTaskQueue("q").build())
                ::run);
        List<String> lines = List.of();
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (lines.isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(200);
          lines = RetryingCalls.of(conn, "r1");
        }
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(
            lines.get(0).matches("retrying Append \\(attempt \\d+\\): runs/r1/round-1/respond/"
                + "shard-00003.jsonl is being written by another writer"),
            lines.get(0));
      } finally {
        factory.shutdownNow();
      }
    }
  }
}
