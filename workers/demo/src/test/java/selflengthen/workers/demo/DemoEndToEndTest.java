package selflengthen.workers.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.method.WordCount;

/**
 * The demo's smaller configuration end to end: the seed model is pretrained by the project's code,
 * two rounds of the full method run on the real workers and the in-memory Temporal server, and the
 * held-out answers must grow every round to at least 1.5x the seed model's, fewer than half of them
 * cut at the token budget. The growth is checked twice: from the run's own result and by reading the
 * measured answers back from the store. Seeded throughout, so the run is the same every time.
 */
@Tag("integration")
class DemoEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataRoot;

  @Test
  void heldOutAnswersGrowEveryRound() throws Exception {
    StringWriter log = new StringWriter();
    DemoRun.Options options = new DemoRun.Options(dataRoot, "demo-test", 0, 4, false,
        DemoSeedModel.Settings.small(), DemoSpec.Scale.small(), 42, Duration.ofMinutes(20));
    DemoRun.Outcome outcome;
    try (PrintWriter out = new PrintWriter(log, true)) {
      outcome = new DemoRun(options, new selflengthen.workers.registrar.SelfLengthenRegistrar(), out).run();
    }
    System.out.println(log);
    LengthGrowth growth = outcome.growth();
    assertTrue(growth.achieved(), growth.verdict());

    // Independently of the demo's summary: the mean words of the measured answers in the store.
    Path run = dataRoot.resolve("runs/demo-test");
    double previous = meanWords(run.resolve("round-0/measure/responses.jsonl"));
    double seed = previous;
    assertEquals(growth.seedMean(), seed, 1e-6);
    assertCappedAreAMinority(run.resolve("round-0/measure/responses.jsonl"));
    for (int round = 1; round <= DemoSpec.Scale.small().rounds(); round++) {
      Path answers = run.resolve("round-" + round + "/measure/responses.jsonl");
      double mean = meanWords(answers);
      assertTrue(mean > previous, "round " + round + ": " + mean + " <= " + previous);
      assertCappedAreAMinority(answers);
      previous = mean;
    }
    assertTrue(previous >= LengthGrowth.REQUIRED_FACTOR * seed, previous + " vs seed " + seed);
    assertTrue(Files.exists(outcome.reportDir().resolve("report.md")));
    assertTrue(Files.exists(run.resolve("long.jsonl")));
  }

  /** Answers that ran into the token budget ("length") are fewer than those that ended by themselves. */
  private static void assertCappedAreAMinority(Path responses) throws IOException {
    int capped = 0;
    int n = 0;
    for (String line : Files.readAllLines(responses)) {
      capped += "length".equals(JSON.readTree(line).path("finish").asText()) ? 1 : 0;
      n++;
    }
    assertTrue(2 * capped < n, responses + ": " + capped + " of " + n + " answers hit the token budget");
  }

  private static double meanWords(Path responses) throws IOException {
    double sum = 0;
    int n = 0;
    try (BufferedReader r = Files.newBufferedReader(responses)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        JsonNode row = JSON.readTree(line);
        sum += WordCount.selfLengthen(row.get("response").asText());
        n++;
      }
    }
    assertTrue(n > 0, "no measured answers in " + responses);
    return sum / n;
  }
}
