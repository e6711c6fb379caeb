package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** resume of a run that is not there says so and leaves the file system as it found it. */
class ResumeCreatesNothingTest {
  @TempDir Path tmp;

  private String resume(Path root, StringWriter err) {
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("resume", "never-ran", "--data-root", root.toString(), "--address", "127.0.0.1:1");
    assertEquals(1, code, err.toString());
    return err.toString();
  }

  @Test
  void resumeOfAnUnknownRunCreatesNoDirectory() throws Exception {
    Path root = tmp.resolve("no-such-root");
    String err = resume(root, new StringWriter());
    assertTrue(err.startsWith("error: data root " + root + " does not exist"), err);
    assertFalse(Files.exists(root), "the data root was created");

    Files.createDirectories(root);
    err = resume(root, new StringWriter());
    assertTrue(err.startsWith("error: no spec for run 'never-ran'"), err);
    try (Stream<Path> left = Files.list(root)) {
      assertEquals(0, left.count(), "resume wrote into the data root");
    }
  }
}
