package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new EvalCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static String lbwRow(String type, int length, int words) throws IOException {
    return MAPPER.writeValueAsString(
        MAPPER.createObjectNode()
            .put("prompt", "write " + length + " words")
            .put("type", type)
            .put("length", length)
            .put("response", "word ".repeat(words).strip()));
  }

  /**
   * Known answers, S_l by hand: 300 for 300 -> 100; 400 for 1000 -> 100*(1-(2.5-1)/2) = 25;
   * 3000 for 2000 -> 100*(1-(1.5-1)/3) = 83.333...; 0 for 5000 -> 0. Overall 208.333.../4 = 52.0833.
   */
  @Test
  void scoresLongBenchWriteAnswersAndWritesReports() throws IOException {
    Path answers = tmp.resolve("answers.jsonl");
    Files.write(
        answers,
        List.of(
            lbwRow("News Report", 300, 300),
            lbwRow("News Report", 1000, 400),
            lbwRow("Popular Science", 2000, 3000),
            lbwRow("Popular Science", 5000, 0)),
        StandardCharsets.UTF_8);

    Run run = run("--responses", answers.toString(), "--format", "longbench-write");

    assertEquals(0, run.exitCode(), run.err());
    double expected = (100 + 25 + 100 * (1 - 0.5 / 3) + 0) / 4;
    assertEquals(52.0833, expected, 1e-4);
    JsonNode report = MAPPER.readTree(tmp.resolve("answers.eval.json").toFile());
    assertEquals(expected, report.get("overall").asDouble(), 1e-9);
    assertEquals(4, report.get("count").asInt());
    assertTrue(run.out().startsWith("LongBench-Write: 4 responses, overall length score 52.08"), run.out());
    assertTrue(run.out().contains("by type: News Report 62.50 (2), Popular Science 41.67 (2)"), run.out());
    assertTrue(run.out().contains("by length bucket: [0,500) 100.00 (1), [500,2000) 25.00 (1), "
        + "[2000,4000) 83.33 (1), [4000,20000] 0.00 (1)"), run.out());
    assertTrue(Files.exists(tmp.resolve("answers.eval.md")));
    assertTrue(Files.exists(tmp.resolve("answers.eval-rows.jsonl")));
    assertTrue(Files.exists(tmp.resolve("answers.lengths.png")));
    assertTrue(Files.exists(tmp.resolve("answers.score-by-length-bucket.png")));
  }

  @Test
  void longenWithOutDir() throws IOException {
    Path answers = tmp.resolve("longen.jsonl");
    String row =
        MAPPER.writeValueAsString(
            MAPPER.createObjectNode()
                .put("language", "zh").put("range", "2-4k").put("type", "below")
                .put("constraint", "小于两千字").put("query", "q").put("response", "字".repeat(1500)));
    Files.writeString(answers, row + "\n", StandardCharsets.UTF_8);
    Path out = tmp.resolve("reports");

    Run run = run("--responses", answers.toString(), "--format", "longen", "--out", out.toString());

    assertEquals(0, run.exitCode(), run.err());
    // below 2000 -> window [1000, 2000]; 1500 characters inside -> 1
    assertEquals(1.0, MAPPER.readTree(out.resolve("longen.eval.json").toFile()).get("overall").asDouble());
    assertTrue(run.out().startsWith("LonGen: 1 responses, overall length score 1.0000"), run.out());
  }

  @Test
  void malformedRowFailsNamingLineAndField() throws IOException {
    Path answers = tmp.resolve("bad.jsonl");
    Files.write(answers, List.of(lbwRow("News Report", 300, 300), "{\"prompt\": \"p\", \"type\": \"t\", \"response\": \"r\"}"));

    Run run = run("--responses", answers.toString(), "--format", "longbench-write");

    assertEquals(1, run.exitCode());
    assertEquals("eval: " + answers + " line 2: field 'length' is missing", run.err().strip());
    assertFalse(Files.exists(tmp.resolve("bad.eval.json")));
  }

  @Test
  void generationUsageErrorsComeBeforeAnyConnection() throws IOException {
    Run noDataset = run("--model", "/models/qwen", "--format", "longen");
    assertEquals(2, noDataset.exitCode());
    assertEquals("eval: give --dataset FILE: the benchmark rows the model answers", noDataset.err().strip());

    Run both = run("--model", "/m", "--endpoint", "http://127.0.0.1:8000/v1", "--format", "longen",
        "--dataset", "d.jsonl");
    assertEquals(2, both.exitCode());
    assertEquals("eval: give one of --model and --endpoint", both.err().strip());

    Path rows = tmp.resolve("lbw.jsonl");
    Files.write(rows, List.of(lbwRow("News Report", 300, 0)));
    Run noName = run("--endpoint", "http://127.0.0.1:8000/v1", "--format", "longbench-write",
        "--dataset", rows.toString(), "--data-root", tmp.resolve("data").toString());
    assertEquals(1, noName.exitCode());
    assertTrue(noName.err().contains("models.generator.model_name: missing (required with an endpoint)"), noName.err());
    assertEquals("", noName.out());
  }

  @Test
  void theEndpointAndAdapterReachTheModelRefAndTheIdIsStable() {
    EvalCommand cmd = new EvalCommand();
    new CommandLine(cmd).parseArgs("--endpoint", "http://10.0.0.5:8000/v1", "--model-name", "qwen-7b",
        "--endpoint-api-key-env", "VLLM_KEY", "--adapter", "adapters/r3", "--format", "longen",
        "--dataset", "longen.jsonl", "--judge-endpoint", "http://10.0.0.6:8000/v1", "--judge-model-name", "judge",
        "--max-new-tokens", "2048", "--shard-size", "4");
    var spec = cmd.buildSpec();
    var generator = spec.getModels().getGenerator();
    assertEquals("http://10.0.0.5:8000/v1", generator.getEndpoint());
    assertEquals("qwen-7b", generator.getModelName());
    assertEquals("VLLM_KEY", generator.getApiKeyEnv());
    assertEquals("adapters/r3", generator.getAdapter());
    assertEquals("", generator.getPath());
    assertEquals("http://10.0.0.6:8000/v1", spec.getModels().getJudge().getEndpoint());
    assertTrue(spec.getEvaluation().getJudge());
    assertEquals("longen", spec.getEvaluation().getFormat());
    assertEquals(2048, spec.getEvaluation().getSampling().getMaxNewTokens());
    assertEquals(4, spec.getParallelism().getShardSize());
    assertTrue(spec.getRunId().matches("eval-longen-longen-[0-9a-f]{10}"), spec.getRunId());

    EvalCommand same = new EvalCommand();
    new CommandLine(same).parseArgs("--endpoint", "http://10.0.0.5:8000/v1", "--model-name", "qwen-7b",
        "--adapter", "adapters/r3", "--format", "longen", "--dataset", "longen.jsonl",
        "--judge-endpoint", "http://10.0.0.6:8000/v1", "--judge-model-name", "judge");
    assertEquals(spec.getRunId(), same.buildSpec().getRunId(), "sampling flags do not change the id");
    EvalCommand other = new EvalCommand();
    new CommandLine(other).parseArgs("--endpoint", "http://10.0.0.5:8000/v1", "--model-name", "qwen-7b",
        "--format", "longen", "--dataset", "longen.jsonl");
    assertFalse(spec.getRunId().equals(other.buildSpec().getRunId()), "another adapter is another evaluation");
  }

  @Test
  void usageErrors() {
    Run noInput = run("--format", "longen");
    assertEquals(2, noInput.exitCode());
    assertTrue(noInput.err().contains("give --responses FILE"), noInput.err());

    Run noFormat = run("--responses", "x.jsonl");
    assertEquals(2, noFormat.exitCode());
    assertEquals("eval: give --format longen|longbench-write", noFormat.err().strip());

    Run missing = run("--responses", tmp.resolve("absent.jsonl").toString(), "--format", "longen");
    assertEquals(1, missing.exitCode());
    assertEquals("eval: " + tmp.resolve("absent.jsonl") + ": no such file", missing.err().strip());

    Run badFormat = run("--responses", "x.jsonl", "--format", "ruler");
    assertEquals(2, badFormat.exitCode());
    assertTrue(badFormat.err().contains("expected one of longen, longbench-write"), badFormat.err());
  }
}
