package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.TaskQueues;

/** A worker process gets SIGTERM while an activity runs: it finishes the activity, then exits. */
@Tag("integration")
class WorkerShutdownTest {
  static EmbeddedTemporal server;
  static TemporalConnection conn;
  @TempDir Path dir;

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

  private Process startWorker(int graceSeconds) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        TestJobs.WorkerMain.class.getName(), "worker", "--address", server.address(),
        "--queues", "control", "--data-root", dir.resolve("data").toString(), "--slots", "1",
        "--grace-seconds", Integer.toString(graceSeconds))
        .redirectError(dir.resolve("worker.err").toFile())
        .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    assertTrue(line != null && line.startsWith("worker polling selflengthen-control"),
        line + " / " + Files.readString(dir.resolve("worker.err")));
    return p;
  }

  private String startJob(String id, long millis) {
    TestJobs.SlowJob job = conn.client().newWorkflowStub(TestJobs.SlowJob.class,
        WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).setWorkflowId(id).build());
    WorkflowClient.start(job::run, dir.toString(), millis);
    return id;
  }

  private void awaitFile(Path file, long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (!Files.exists(file) && System.currentTimeMillis() < end) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(file), file + " never appeared");
  }

  private List<EventType> history(String id) {
    return conn.client().fetchHistory(id).getEvents().stream().map(e -> e.getEventType()).toList();
  }

  @Test
  void sigtermLetsTheRunningActivityFinishThenExits() throws Exception {
    Process worker = startWorker(20);
    String id = startJob("slow-finishes", 2500);
    awaitFile(dir.resolve("started"), 20_000);
    long signalled = System.currentTimeMillis();
    worker.destroy(); // SIGTERM
    assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "worker did not exit");
    long took = System.currentTimeMillis() - signalled;
    assertTrue(Files.exists(dir.resolve("finished")), "the running activity was cut short");
    assertTrue(took < 15_000, "exit took " + took + " ms");
    assertEquals(143, worker.exitValue(), "exits as terminated by SIGTERM");
    assertTrue(history(id).contains(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
        "the finished activity's result reached the server: " + history(id));
  }

  @Test
  void afterTheGracePeriodItHandsBack() throws Exception {
    Process worker = startWorker(1);
    startJob("slow-cut", 60_000);
    awaitFile(dir.resolve("started"), 20_000);
    long signalled = System.currentTimeMillis();
    worker.destroy();
    assertTrue(worker.waitFor(20, TimeUnit.SECONDS), "worker did not exit");
    long took = System.currentTimeMillis() - signalled;
    assertTrue(took < 12_000, "exit took " + took + " ms");
    assertFalse(Files.exists(dir.resolve("finished")));
  }
}
