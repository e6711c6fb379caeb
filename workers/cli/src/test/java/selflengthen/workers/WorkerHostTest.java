package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowOptions;
import io.temporal.worker.WorkerOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.store.DataStore;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.TaskQueues;

@Tag("integration")
class WorkerHostTest {
  static EmbeddedTemporal server;
  static TemporalConnection conn;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    server = EmbeddedTemporal.start(0);
    conn = TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    conn.close();
    server.close();
  }

  @Test
  void registersEachQueueAndRunsAtMostSlotsActivitiesAtOnce() {
    TestJobs.ProbeImpl probe = new TestJobs.ProbeImpl();
    List<String> seen = new ArrayList<>();
    WorkerContext ctx = new WorkerContext(DataStore.open(dir), 2,
        List.of(TaskQueues.CONTROL, TaskQueues.INFERENCE), conn.address(), conn.namespace(), conn.client());
    WorkerHost host = WorkerHost.start(ctx, (queue, worker, c) -> {
      seen.add(queue);
      assertEquals(dir.toAbsolutePath().normalize(), c.dataRoot());
      if (queue.equals(TaskQueues.CONTROL)) {
        worker.registerWorkflowImplementationTypes(TestJobs.FanOutImpl.class);
      } else {
        worker.registerActivitiesImplementations(probe);
      }
    }, true);
    try {
      assertEquals(List.of(TaskQueues.CONTROL, TaskQueues.INFERENCE), seen);
      TestJobs.FanOut fanOut = conn.client().newWorkflowStub(TestJobs.FanOut.class,
          WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).setWorkflowId("fan-out").build());
      assertEquals(6, fanOut.run(6));
      assertEquals(2, probe.maxRunning.get(), "slots bound the activities running at once");
    } finally {
      assertTrue(host.shutdown(Duration.ofSeconds(10)));
    }
  }

  @Test
  void stickyQueueTimeoutIsZeroOnlyAgainstAnInMemoryServerInAnotherProcess() {
    WorkerOptions embedded = WorkerHost.workerOptions(3, WorkerHost.ServerKind.IN_MEMORY_REMOTE);
    assertEquals(Duration.ZERO, embedded.getStickyQueueScheduleToStartTimeout());
    assertEquals(3, embedded.getMaxConcurrentActivityExecutionSize());
    assertEquals(3, embedded.getMaxConcurrentActivityTaskPollers(), "one waiting poll per slot");
    assertEquals(WorkerHost.MAX_ACTIVITY_POLLERS,
        WorkerHost.workerOptions(100, WorkerHost.ServerKind.DURABLE).getMaxConcurrentActivityTaskPollers());
    for (WorkerHost.ServerKind sticky : List.of(WorkerHost.ServerKind.DURABLE, WorkerHost.ServerKind.IN_MEMORY_HERE)) {
      WorkerOptions options = WorkerHost.workerOptions(3, sticky);
      assertTrue(options.getStickyQueueScheduleToStartTimeout() == null
          || !options.getStickyQueueScheduleToStartTimeout().isZero(), sticky.name());
    }
  }
}
