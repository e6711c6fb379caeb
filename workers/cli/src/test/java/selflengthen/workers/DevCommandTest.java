package selflengthen.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.workflows.TaskQueues;

/** {@code selflengthen dev}: server and workers in one process, reachable at the printed address. */
@Tag("integration")
class DevCommandTest {
  @TempDir Path dir;

  @Test
  void servesWorkflowsAtThePrintedLoopbackAddress() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process dev = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        TestJobs.WorkerMain.class.getName(), "dev", "--port", "0", "--data-root",
        dir.resolve("data").toString(), "--slots", "1", "--grace-seconds", "2")
        .redirectError(dir.resolve("dev.err").toFile())
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8));
      String first = out.readLine();
      assertTrue(first != null, Files.readString(dir.resolve("dev.err")));
      Matcher m = Pattern.compile("Temporal \\(in memory\\) at (127\\.0\\.0\\.1:\\d+), namespace default").matcher(first);
      assertTrue(m.find(), first);
      StringBuilder rest = new StringBuilder();
      for (int i = 0; i < 5; i++) {
        rest.append(out.readLine()).append('\n');
      }
      assertTrue(rest.toString().contains("bin/selflengthen start --address " + m.group(1) + " --spec FILE"), rest.toString());
      assertTrue(Files.isDirectory(dir.resolve("data")));

      try (TemporalConnection conn = TemporalConnection.connect(m.group(1), "default", Duration.ofSeconds(10))) {
        TestJobs.SlowJob job = conn.client().newWorkflowStub(TestJobs.SlowJob.class,
            WorkflowOptions.newBuilder().setTaskQueue(TaskQueues.CONTROL).setWorkflowId("dev-job").build());
        assertEquals("done", job.run(dir.toString(), 10));
      }
    } finally {
      dev.destroy();
      assertTrue(dev.waitFor(20, TimeUnit.SECONDS));
    }
  }
}
