package selflengthen.workers.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM started with this test's class path: small heap, quick-start JIT, DJL kept offline.
 * Its stdout and stderr go to files next to each other, so a test can wait for a line and show the
 * logs when something goes wrong.
 */
final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path out;
  private final Path err;

  private ChildJvm(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /**
   * Starts {@code main} with {@code args}.
   *
   * @param properties system properties as "-Dk=v" strings
   */
  static ChildJvm start(Path logs, String name, List<String> properties, Class<?> main, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx160m", "-Xss1m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true"));
    cmd.addAll(properties);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Path out = logs.resolve(name + ".out");
    Path err = logs.resolve(name + ".err");
    ProcessBuilder b = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    b.environment().put("DJL_OFFLINE", "true");
    b.environment().put("OPT_OUT_TRACKING", "true");
    try {
      return new ChildJvm(name, b.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  /** The identity Temporal's SDK gives a worker of this process by default: pid@host. */
  String identity() {
    String self = ManagementFactory.getRuntimeMXBean().getName();
    return pid() + self.substring(self.indexOf('@'));
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits for a line of stdout matching {@code pattern}; returns its match. */
  Matcher awaitOutput(Pattern pattern, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : lines(out)) {
        Matcher m = pattern.matcher(line);
        if (m.find()) {
          return m;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before printing "
            + pattern + "\n" + logs());
      }
      Thread.sleep(50);
    }
    throw new AssertionError(name + " printed no " + pattern + " within " + timeout + "\n" + logs());
  }

  /** SIGKILL: no shutdown hook, no finally block, no flush. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError(name + " survived SIGKILL");
    }
  }

  /** The tail of both logs, for failure messages. */
  String logs() {
    return "--- " + name + " stdout:\n" + tail(out) + "--- " + name + " stderr:\n" + tail(err);
  }

  private static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String tail(Path file) {
    List<String> l = lines(file);
    return String.join("\n", l.subList(Math.max(0, l.size() - 40), l.size())) + "\n";
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
