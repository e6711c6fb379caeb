package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import selflengthen.eval.Benchmark;
import selflengthen.eval.LengthEvaluation;
import selflengthen.model.ModelFactory;
import selflengthen.workers.registrar.SelfLengthenRegistrar;

/**
 * {@code selflengthen eval --model DIR --dataset FILE} end to end, in process: the in-memory
 * Temporal server, the production workflows and activities, and the DJL engine on a tiny checkpoint
 * made by {@code model init}'s code. Three LongBench-Write rows, 8 new tokens each.
 */
@Tag("integration")
class EvalGenerationCliTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine(SelfLengthenRegistrar::new);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void generatesScoresAndResumesOnATinyModel() throws Exception {
    Path model = tmp.resolve("tiny");
    ModelFactory.init("tiny", model, 7L, null);
    Path dataset = tmp.resolve("lbw.jsonl");
    Files.write(dataset, List.of(
        "{\"prompt\": \"Write a story about a river.\", \"type\": \"Fiction\", \"length\": 300}",
        "{\"prompt\": \"Explain how tides work.\", \"type\": \"Popular Science\", \"length\": 800}",
        "{\"prompt\": \"Report on the town fair.\", \"type\": \"News Report\", \"length\": 2500}"));
    Path root = tmp.resolve("data");
    String[] args = {"eval", "--model", model.toString(), "--dataset", dataset.toString(),
        "--format", "longbench-write", "--data-root", root.toString(), "--eval-id", "tiny-lbw",
        "--shard-size", "2", "--max-new-tokens", "8", "--temperature", "0", "--max-batch-size", "2"};

    Run first = run(args);

    assertEquals(0, first.code(), first.err() + first.out());
    assertTrue(first.out().contains("LongBench-Write: 3 responses, overall length score"), first.out());
    Path answers = root.resolve("runs/tiny-lbw/round-0/eval/responses.jsonl");
    assertTrue(first.out().contains("answers: " + answers), first.out());
    List<JsonNode> rows;
    try (Stream<String> lines = Files.lines(answers)) {
      rows = lines.map(l -> {
        try {
          return JSON.readTree(l);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).toList();
    }
    assertEquals(3, rows.size());
    for (JsonNode r : rows) {
      assertTrue(r.get("response").isTextual(), r.toString());
      assertTrue(List.of("stop", "length").contains(r.get("finish").asText()), r.toString());
    }
    Path report = root.resolve("runs/tiny-lbw/round-0/eval/report");
    JsonNode summary = JSON.readTree(report.resolve("responses.eval.json").toFile());
    double rescored = LengthEvaluation.scoreResponses(Benchmark.LONGBENCH_WRITE, answers).summary().getOverall();
    assertEquals(rescored, summary.get("overall").asDouble(), 1e-12);
    assertEquals(3, summary.get("count").asInt());
    assertTrue(Files.exists(report.resolve("responses.eval.md")));
    assertTrue(Files.exists(report.resolve("responses.lengths.png")));

    Run again = run(args);
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("3 answers (every answer was already in the store)"), again.out());
  }
}
