package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The DPO options of `demo` and `bench preference` are refused in one line before anything starts. */
class DpoOptionsTest {
  @TempDir Path dir;

  private String[] run(String... args) {
    CommandLine cl = Main.commandLine(() -> {
      throw new AssertionError("nothing may start");
    });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  @Test
  void aDemoLearningRateWithoutDpoIsRefusedNotIgnored() {
    String[] r = run("demo", "--data-root", dir.toString(), "--dpo-learning-rate", "2e-4");
    assertEquals("1", r[0]);
    assertEquals("", r[1]);
    assertEquals("error: --dpo-learning-rate needs --dpo (the run's DPO step) or --preference-bench\n", r[2]);
  }

  @Test
  void aNonPositiveLearningRateIsRefused() {
    String[] demo = run("demo", "--data-root", dir.toString(), "--dpo", "--dpo-learning-rate", "-1");
    assertEquals("1", demo[0]);
    assertEquals("error: --dpo-learning-rate must be greater than 0 (got -1.0)\n", demo[2]);
    String[] bench = run("bench", "preference", "--data-root", dir.toString(), "--run-id", "r",
        "--dpo-learning-rate", "5e-6,0");
    assertEquals("1", bench[0]);
    assertEquals("error: --dpo-learning-rate must be greater than 0 (got 0.0)\n", bench[2]);
  }

  @Test
  void benchPreferenceRefusesZeroEpochsAndTasks() {
    assertEquals("error: --dpo-epochs must be greater than 0 (got 0.0)\n",
        run("bench", "preference", "--data-root", dir.toString(), "--run-id", "r", "--dpo-epochs", "0")[2]);
    assertEquals("error: --max-tasks must be at least 1 (got 0)\n",
        run("bench", "preference", "--data-root", dir.toString(), "--run-id", "r", "--max-tasks", "0")[2]);
  }
}
