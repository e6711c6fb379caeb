package selflengthen.workers.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.ReplayResults;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.eval.Benchmark;
import selflengthen.eval.LengthEvaluation;
import selflengthen.payload.Payloads;
import selflengthen.store.DataStore;
import selflengthen.v1.EvalInput;
import selflengthen.v1.EvalResult;
import selflengthen.v1.Evaluation;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.ModelRef;
import selflengthen.v1.Models;
import selflengthen.v1.Parallelism;
import selflengthen.v1.QualitySummary;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ScoreGroup;
import selflengthen.workers.WorkerContext;
import selflengthen.workflows.SelfLengthenEval;
import selflengthen.workflows.TaskQueues;
import selflengthen.workflows.WorkflowImplementations;

/**
 * The SelfLengthenEval workflow with the production registrar (real workflows and activities) on
 * Temporal's in-memory service; the model double answers every LonGen query with exactly 100 words,
 * so every score is computed here by hand.
 */
@Tag("integration")
class EvalWorkflowTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final double EPS = 1e-9;

  @TempDir Path tmp;
  private TestWorkflowEnvironment env;
  private SelfLengthenRegistrar registrar;

  @AfterEach
  void close() {
    if (env != null) {
      env.close();
    }
    if (registrar != null) {
      registrar.close();
    }
  }

  /**
   * 100 words against: about 100 -> [80,120] inside, 1; above 200 -> [200,300] below a,
   * max(2*100/200 - 1, 0) = 0; below 150 -> [75,150] inside, 1; range 50-80 -> above b,
   * max(3 - 2*100/80, 0) = 0.5; about 200 -> [160,240] below a, 2*100/160 - 1 = 0.25.
   * Overall 2.75 / 5 = 0.55.
   */
  @Test
  void answersInShardsScoresAndReportsWithTheJudge() throws Exception {
    FixedLengthModel model = new FixedLengthModel(100);
    DataStore store = start(model);
    RunSpec spec = spec("eval-a", benchmark(List.of(
        row("about", "about 100 words", "q0"),
        row("above", "above 200 words", "q1"),
        row("below", "below 150 words", "q2"),
        row("range", "50-80 words", "q3"),
        row("about", "about 200 words", "q4"))), true);

    EvalResult result = run(spec);
    replayAndMaybeRecord("eval-a");

    // 5 rows in shards of 2: three shard files, merged in row order.
    for (int i = 0; i < 3; i++) {
      assertTrue(store.isComplete(RunPaths.shardOutput("eval-a", 0, Stages.EVAL, i)), "shard " + i);
    }
    assertFalse(store.exists(RunPaths.shardOutput("eval-a", 0, Stages.EVAL, 3)));
    String responses = RunPaths.stageOutput("eval-a", 0, Stages.EVAL);
    assertEquals(responses, result.getScores().getResponses().getPath());
    List<JsonNode> rows = store.readJsonl(responses);
    assertEquals(List.of("q0", "q1", "q2", "q3", "q4"), rows.stream().map(r -> r.get("query").asText()).toList());
    for (JsonNode r : rows) {
      assertEquals(100, r.get("response").asText().split(" ").length);
      assertEquals(100, r.get("words").asInt());
      assertEquals(8, r.get("judge").get("scores").get("Relevance").asInt(), r.toString());
    }
    assertEquals(5, model.answers.get());
    assertEquals(5, model.judgements.get());

    LengthEvalSummary length = result.getScores().getLength();
    assertEquals("longen", length.getBenchmark());
    assertEquals(5, length.getCount());
    assertEquals(0.55, length.getOverall(), EPS);
    assertEquals(100, length.getMeanProducedWords(), EPS);
    assertEquals(Map.of("about", 0.625, "range", 0.5, "above", 0.0, "below", 1.0), means(length, "type"));
    // The same file scored as `eval --responses` scores it gives the same summary.
    assertEquals(length.getOverall(),
        LengthEvaluation.scoreResponses(Benchmark.LONGEN, store.resolve(responses)).summary().getOverall(), EPS);

    QualitySummary quality = result.getScores().getQuality();
    assertEquals("self-lengthen", quality.getRubric());
    assertEquals(5, quality.getScored());
    assertEquals(0, quality.getFailed());
    assertEquals(8.0, quality.getByDimension(0).getMean(), EPS);
    assertEquals((8 + 7 + 6 + 9 + 8 + 5 + 7) / 7.0, quality.getOverall(), EPS);

    String dir = RunPaths.evalReportDir("eval-a", 0);
    List<String> files = result.getScores().getReportFilesList();
    for (String f : List.of("responses.eval.json", "responses.eval.md", "responses.quality.json",
        "responses.eval-rows.jsonl", "responses.lengths.png", "responses.score-by-type.png")) {
      assertTrue(files.contains(dir + "/" + f), f + " in " + files);
      assertTrue(Files.size(store.resolve(dir + "/" + f)) > 0, f);
    }
    String md = store.readString(dir + "/responses.eval.md");
    assertTrue(md.contains("| **overall score** | **0.5500** |"), md);
    assertTrue(md.contains("| Relevance | 5 | 8.00 |"), md);
    assertTrue(md.contains("![responses.lengths.png](responses.lengths.png)"), md);
    JsonNode json = JSON.readTree(store.resolve(dir + "/responses.eval.json").toFile());
    assertEquals(0.55, json.get("overall").asDouble(), EPS);
  }

  /**
   * 6 rows in shards of 2, one shard at a time; the model refuses the last row for good, so the
   * first run fails with shards 0 and 1 complete and shard 2 holding row 4. The rerun answers
   * only row 5.
   */
  @Test
  void aRerunAnswersOnlyWhatNoFinishedShardHolds() throws IOException {
    FixedLengthModel model = new FixedLengthModel(100);
    DataStore store = start(model);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      lines.add(row("about", "about 100 words", "question " + i));
    }
    RunSpec spec = spec("eval-b", benchmark(lines), false).toBuilder()
        .setParallelism(Parallelism.newBuilder().setShardSize(2).setMaxConcurrentShards(1).setStragglerFraction(1f))
        .build();
    model.refuse = "question 5";

    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> run(spec));
    assertTrue(rootMessage(failed).contains("scripted refusal"), rootMessage(failed));
    assertEquals(5, model.answers.get());
    assertTrue(store.isComplete(RunPaths.shardOutput("eval-b", 0, Stages.EVAL, 1)));
    assertFalse(store.isComplete(RunPaths.shardOutput("eval-b", 0, Stages.EVAL, 2)));

    model.refuse = null;
    EvalResult result = run(spec);
    assertEquals(6, model.answers.get(), "only row 5 was answered again");
    assertEquals(6, result.getScores().getLength().getCount());
    assertEquals(1.0, result.getScores().getLength().getOverall(), EPS);
    assertFalse(result.getScores().hasQuality());
    List<JsonNode> rows = store.readJsonl(result.getScores().getResponses().getPath());
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), rows.stream().map(r -> r.get("row").asLong()).toList());

    // Once complete, nothing is answered or scored again.
    EvalResult again = run(spec);
    assertEquals(6, model.answers.get());
    assertTrue(again.getStage().getSkipped());
    assertEquals(result.getScores(), again.getScores());
  }

  @Test
  void aMalformedBenchmarkRowFailsAtPrepareNamingItsLine() throws IOException {
    DataStore store = start(new FixedLengthModel(10));
    Path file = benchmark(List.of(row("about", "about 100 words", "q0"), "{\"type\": \"about\", \"query\": \"q\"}"));
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> run(spec("eval-c", file, false)));
    String message = rootMessage(failed);
    assertTrue(message.contains(file + " line 2: field 'constraint' is missing"), message);
    assertFalse(store.exists(RunPaths.evalDataset("eval-c")));
  }

  @Test
  void aPoolThatRefusesTheEndpointFailsThePrepareNamingIt() throws IOException {
    FixedLengthModel model = new FixedLengthModel(10);
    start(model);
    RunSpec spec = spec("eval-d", benchmark(List.of(row("about", "about 100 words", "q0"))), false);
    RunSpec endpoint = spec.toBuilder()
        .setModels(Models.newBuilder().setGenerator(
            ModelRef.newBuilder().setEndpoint("http://127.0.0.1:8000/v1").setModelName("qwen")))
        .build();
    WorkflowFailedException failed = assertThrows(WorkflowFailedException.class, () -> run(endpoint));
    assertEquals("unusable evaluation inputs: models.generator: models.generator.endpoint"
        + " http://127.0.0.1:8000/v1: this pool serves no endpoints", rootMessage(failed));
    assertEquals(0, model.answers.get());
  }

  private DataStore start(FixedLengthModel model) {
    DataStore store = DataStore.open(tmp.resolve("data"));
    registrar = new SelfLengthenRegistrar(() -> model, ScriptedTrainer::new);
    env = TestWorkflowEnvironment.newInstance(
        TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
            .setUseTimeskipping(false)
            .setWorkflowClientOptions(
                WorkflowClientOptions.newBuilder().setDataConverter(Payloads.dataConverter()).build())
            .build());
    WorkerContext context = new WorkerContext(store, 4, TaskQueues.ALL, "in-memory", "default", env.getWorkflowClient());
    for (String queue : TaskQueues.ALL) {
      registrar.register(queue, env.newWorker(queue), context);
    }
    env.start();
    return store;
  }

  private RunSpec spec(String id, Path dataset, boolean judge) {
    Path model = TestRuns.modelDir(tmp);
    return RunSpec.newBuilder()
        .setRunId(id)
        .setDataRoot(tmp.resolve("data").toString())
        .setModels(Models.newBuilder().setGenerator(ModelRef.newBuilder().setPath(model.toString())).setMaxBatchSize(2))
        // A straggler cut would end the stage after 2 of 3 shards: a benchmark is never cut.
        .setParallelism(Parallelism.newBuilder().setShardSize(2).setMaxConcurrentShards(2).setStragglerFraction(0.5f))
        .setEvaluation(Evaluation.newBuilder().setDataset(dataset.toString()).setFormat("longen").setJudge(judge))
        .build();
  }

  /**
   * The recorded histories of SelfLengthenEval (one folder per workflow code version,
   * src/test/resources/histories/eval/vN) replay with the current code: a change that would break
   * an evaluation in flight fails here. Record the next version with
   * -Dselflengthen.recordHistories=vN (from the workers module through the reactor).
   */
  @Test
  void recordedEvalHistoriesReplayWithTheCurrentCode() throws Exception {
    Path dir = Path.of(EvalWorkflowTest.class.getResource("/histories/eval").toURI());
    List<WorkflowExecutionHistory> recorded = new ArrayList<>();
    try (var versions = Files.list(dir)) {
      for (Path version : versions.sorted().toList()) {
        try (var files = Files.list(version)) {
          for (Path f : files.filter(x -> x.toString().endsWith(".json")).sorted().toList()) {
            recorded.add(WorkflowExecutionHistory.fromJson(Files.readString(f), f.toString()));
          }
        }
      }
    }
    assertFalse(recorded.isEmpty(), "no recorded eval history under " + dir);
    ReplayResults results = replayWithOurConverter(recorded);
    assertFalse(results.hadAnyError(), () -> results.allErrors().toString());
  }

  /**
   * Replays with the project's data converter, as workers do: histories written since results are
   * json/plain need it (the SDK's default converter cannot build a protobuf message from plain
   * JSON); older json/protobuf histories replay with it too.
   */
  static ReplayResults replayWithOurConverter(List<WorkflowExecutionHistory> histories) throws Exception {
    io.temporal.testing.TestWorkflowEnvironment replayEnv = io.temporal.testing.TestWorkflowEnvironment.newInstance(
        io.temporal.testing.TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
            .setWorkflowClientOptions(io.temporal.client.WorkflowClientOptions.newBuilder()
                .setDataConverter(selflengthen.payload.Payloads.dataConverter()).build())
            .build());
    try {
      io.temporal.worker.Worker worker = replayEnv.newWorker("replay");
      WorkflowImplementations.register(worker);
      return WorkflowReplayer.replayWorkflowExecutions(histories, false, worker);
    } finally {
      replayEnv.close();
    }
  }

  /** This run's own history replays (determinism); with the record property it becomes a fixture. */
  private void replayAndMaybeRecord(String id) throws Exception {
    WorkflowExecutionHistory history = env.getWorkflowClient().fetchHistory(id);
    ReplayResults replayed = replayWithOurConverter(List.of(history));
    assertFalse(replayed.hadAnyError(), () -> "the eval workflow does not replay its own history: "
        + replayed.allErrors());
    String version = System.getProperty("selflengthen.recordHistories");
    if (version != null) {
      Path dir = Files.createDirectories(Path.of("src/test/resources/histories/eval", version));
      Files.writeString(dir.resolve("eval.json"), history.toJson(true));
    }
  }

  private EvalResult run(RunSpec spec) {
    SelfLengthenEval eval = env.getWorkflowClient().newWorkflowStub(SelfLengthenEval.class,
        WorkflowOptions.newBuilder().setWorkflowId(spec.getRunId()).setTaskQueue(TaskQueues.CONTROL)
            .setWorkflowExecutionTimeout(Duration.ofSeconds(60)).build());
    WorkflowClient.start(eval::run, EvalInput.newBuilder().setSpec(spec).build());
    return env.getWorkflowClient().newUntypedWorkflowStub(spec.getRunId()).getResult(EvalResult.class);
  }

  private Path benchmark(List<String> lines) throws IOException {
    Path file = tmp.resolve("longen-" + lines.size() + "-" + System.nanoTime() + ".jsonl");
    Files.write(file, lines);
    return file;
  }

  private static String row(String type, String constraint, String query) throws IOException {
    return JSON.writeValueAsString(JSON.createObjectNode()
        .put("language", "en").put("type", type).put("constraint", constraint).put("query", query));
  }

  private static Map<String, Double> means(LengthEvalSummary s, String by) {
    return s.getBreakdownsList().stream().filter(b -> b.getBy().equals(by)).findFirst().orElseThrow()
        .getGroupsList().stream().collect(java.util.stream.Collectors.toMap(ScoreGroup::getKey, ScoreGroup::getMean));
  }

  private static String rootMessage(Throwable t) {
    String message = t.getMessage();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof io.temporal.failure.ApplicationFailure a) {
        message = a.getOriginalMessage();
      }
    }
    return message;
  }
}
