package selflengthen.workers.registrar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.ControlActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.control.ControlActivitiesImpl;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.SftRows;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.TrainingJob;
import selflengthen.payload.Payloads;
import selflengthen.store.DataStore;
import selflengthen.store.ManifestEntry;
import selflengthen.eval.Benchmark;
import selflengthen.eval.LengthEvaluation;
import selflengthen.v1.EvalScores;
import selflengthen.v1.Evaluation;
import selflengthen.v1.PreparedRun;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageResult;
import selflengthen.workers.WorkerContext;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * The whole method, 2 rounds of tiny sizes, on Temporal's in-memory service with the real workflows
 * and activity implementations (registered by the production registrar), the scripted model and
 * the scripted trainer. One engine call fails on the way, so one shard is retried by Temporal.
 */
@Tag("integration")
class FullRunTest {
  static final String RUN = "full";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void twoRoundsLeaveEveryStagesOutputInTheStore() throws IOException {
    Path root = tmp.resolve("data");
    RunSpec spec = TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), TestRuns.modelDir(tmp))
        .setEvaluation(Evaluation.newBuilder().setDataset(longen(tmp).toString()).setFormat("longen"))
        .build();
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    models.model.failAfter(60);
    ScriptedTrainer trainer = new ScriptedTrainer();
    SelfLengthenRegistrar registrar = new SelfLengthenRegistrar(() -> models, () -> trainer);

    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
                .setUseTimeskipping(false)
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder().setDataConverter(Payloads.dataConverter()).build())
                .build());
    try {
      WorkerContext context =
          new WorkerContext(store, 4, TaskQueues.ALL, "in-memory", "default", env.getWorkflowClient());
      for (String queue : TaskQueues.ALL) {
        registrar.register(queue, env.newWorker(queue), context);
      }
      env.start();
      RunResult result = run(env.getWorkflowClient(), spec);

      assertStore(store, result, models, trainer);

      // Started again, the run finds everything recorded: no generation, no training, same data.
      int calls = models.model.calls.get();
      byte[] longSet = Files.readAllBytes(store.resolve(RunPaths.longSet(RUN)));
      RunResult again = run(env.getWorkflowClient(), spec);
      assertEquals(calls, models.model.calls.get());
      assertEquals(5, trainer.jobs.size());
      assertArrayEquals(longSet, Files.readAllBytes(store.resolve(RunPaths.longSet(RUN))));
      assertEquals(result.getLongSet(), again.getLongSet());
      assertEquals(result.getLengthControlSet(), again.getLengthControlSet());
      assertEquals(heldOutMeans(result), heldOutMeans(again));

      assertRecovered(spec, result, models);
    } finally {
      env.close();
      registrar.close();
    }
  }

  private static RunResult run(WorkflowClient client, RunSpec spec) {
    SelfLengthenRun run =
        client.newWorkflowStub(
            SelfLengthenRun.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(RUN)
                .setTaskQueue(TaskQueues.CONTROL)
                .setWorkflowExecutionTimeout(Duration.ofSeconds(120))
                .build());
    WorkflowClient.start(run::run, spec, null);
    return WorkflowStub.fromTyped(client.newWorkflowStub(SelfLengthenRun.class, RUN)).getResult(RunResult.class);
  }

  private static void assertStore(DataStore store, RunResult result, ScriptedModels models, ScriptedTrainer trainer)
      throws IOException {
    assertTrue(store.exists(RunPaths.specFile(RUN)));
    // The measurement does not eat the seeds: all 10 stay in the pool.
    assertEquals(10, store.readJsonl(RunPaths.seedPool(RUN)).size());
    assertEquals(3, store.readJsonl(RunPaths.heldOut(RUN)).size());
    // The seed model's held-out answers: 3 instructions in shards of 2.
    assertShards(store, 0, Stages.MEASURE, 2);
    assertEquals(3, store.readJsonl(RunPaths.stageOutput(RUN, 0, Stages.MEASURE)).size());
    assertEquals(3, result.getSeedHeldOutLengths().getCount());

    assertEquals(2, result.getRoundsCount());
    long poolRows = 10;
    long longRows = 0;
    for (int k = 1; k <= 2; k++) {
      RoundResult r = result.getRounds(k - 1);
      assertEquals(k, r.getRound());
      List<String> stages = new java.util.ArrayList<>(Stages.ROUND);
      stages.add(Stages.EVAL);
      assertEquals(stages, r.getStagesList().stream().map(StageResult::getName).toList());

      assertShards(store, k, Stages.SELF_INSTRUCT, 3);
      long made = rows(store, RunPaths.stageOutput(RUN, k, Stages.SELF_INSTRUCT));
      assertEquals(made, r.getInstructionsMade());
      assertTrue(made >= 4, "round " + k + " made " + made + " of 6 instructions");
      poolRows += made;
      assertEquals(poolRows, rows(store, RunPaths.pool(RUN, k)));
      assertEquals(RunPaths.pool(RUN, k), r.getInstructionPool().getPath());

      assertShards(store, k, Stages.RESPOND, (int) Math.ceil(made / 2.0));
      long responses = rows(store, RunPaths.stageOutput(RUN, k, Stages.RESPOND));
      assertTrue(responses > made, "two answers per instruction, most pass the check");
      long kept = rows(store, RunPaths.stageOutput(RUN, k, Stages.DROP_SHORT));
      assertEquals(kept, r.getResponsesKept());
      assertTrue(kept > 0 && kept < responses, "drop-short always drops the shortest");
      longRows += kept;

      assertShards(store, k, Stages.EXTEND, (int) Math.ceil(kept / 2.0));
      for (JsonNode row : store.readJsonl(RunPaths.stageOutput(RUN, k, Stages.EXTEND))) {
        assertTrue(row.get("words").asInt() > 1.2 * row.get("initial_words").asInt(), row.toString());
      }
      long extended = rows(store, RunPaths.stageOutput(RUN, k, Stages.DROP_SHORT_EXTENDED));
      assertEquals(extended, r.getExtendedLengths().getCount());
      assertTrue(extended > 0);
      assertTrue(r.getExtendedLengths().getMeanWords() > r.getInitialLengths().getMeanWords());
      assertTrue(r.getExtensionAcceptance() > 0 && r.getExtensionAcceptance() <= 1);
      longRows += extended;

      assertEquals(extended, SftRows.readLlamaFactoryJson(store.resolve(RunPaths.trainingSet(RUN, k, Roles.GENERATOR))).size());
      assertEquals(extended, SftRows.readLlamaFactoryJson(store.resolve(RunPaths.trainingSet(RUN, k, Roles.EXTENDER))).size());
      JsonNode info = JSON.readTree(store.resolve(RunPaths.datasetInfo(RUN, k)).toFile());
      assertEquals("generator.json", info.get("generator").get("file_name").asText());

      for (String role : List.of(Roles.GENERATOR, Roles.EXTENDER)) {
        String adapter = RunPaths.adapterDir(RUN, k, role);
        assertTrue(store.exists(adapter + "/adapter_model.safetensors"), adapter);
        assertTrue(store.isComplete(adapter), adapter);
        var training = role.equals(Roles.GENERATOR) ? r.getGeneratorTraining() : r.getExtenderTraining();
        assertEquals(adapter, training.getAdapter().getPath());
        assertEquals(store.sha256(adapter + "/adapter_model.safetensors"), training.getAdapter().getSha256());
        assertEquals(extended, training.getExamples());
      }

      assertShards(store, k, Stages.MEASURE, 2);
      assertEquals(3, r.getHeldOutLengths().getCount());
      assertEvaluation(store, k, r.getEvaluation());
    }
    // The seed model answered the benchmark first (round 0): the baseline of the rounds' scores.
    assertEvaluation(store, 0, result.getSeedEvaluation());
    assertTrue(result.getSeedEvaluation().getLength().getMeanProducedWords()
        < result.getRounds(0).getEvaluation().getLength().getMeanProducedWords());
    // The benchmark answers grow with the Generator's rounds, as the held-out ones do.
    assertTrue(result.getRounds(0).getEvaluation().getLength().getMeanProducedWords()
        < result.getRounds(1).getEvaluation().getLength().getMeanProducedWords());
    // The scripted model writes 40 more words per round of the adapter it answers with.
    assertTrue(result.getSeedHeldOutLengths().getMeanWords() < result.getRounds(0).getHeldOutLengths().getMeanWords());
    assertTrue(result.getRounds(0).getHeldOutLengths().getMeanWords() < result.getRounds(1).getHeldOutLengths().getMeanWords());

    // Round 2 continues from round 1's adapters, in training and in generation; then the final SFT.
    assertEquals(5, trainer.jobs.size());
    for (String role : List.of(Roles.GENERATOR, Roles.EXTENDER)) {
      TrainingJob round2 = trainer.jobs.stream()
          .filter(j -> j.outputDir().equals(store.resolve(RunPaths.adapterDir(RUN, 2, role)))).findFirst().orElseThrow();
      assertEquals(store.resolve(RunPaths.adapterDir(RUN, 1, role)), round2.initAdapter());
    }
    List<String> adapters = models.model.requests.stream().map(GenerationRequest::adapter).distinct().toList();
    assertTrue(adapters.contains(store.resolve(RunPaths.adapterDir(RUN, 1, Roles.GENERATOR)).toString()), adapters.toString());
    assertTrue(adapters.contains(store.resolve(RunPaths.adapterDir(RUN, 1, Roles.EXTENDER)).toString()), adapters.toString());
    assertTrue(adapters.contains(store.resolve(RunPaths.adapterDir(RUN, 2, Roles.GENERATOR)).toString()), "round-2 measure");

    // The collection pass: 4 more instructions (2 shards of 2) from the base model, answered by the
    // final Generator, drop-short; its kept responses join long.jsonl.
    assertShards(store, 0, Stages.COLLECT_SELF_INSTRUCT, 2);
    long passKept = rows(store, RunPaths.stageOutput(RUN, 0, Stages.COLLECT_DROP_SHORT));
    assertTrue(passKept > 0);
    longRows += passKept;
    List<JsonNode> long_ = store.readJsonl(RunPaths.longSet(RUN));
    assertEquals(longRows, long_.size());
    assertEquals(longRows, result.getLongSet().getCount());
    assertTrue(long_.stream().allMatch(r -> r.hasNonNull("query") && r.hasNonNull("response")));
    long controlled = SftRows.readLlamaFactoryJson(store.resolve(RunPaths.lengthControlSet(RUN))).size();
    assertEquals(controlled, result.getLengthControlSet().getCount());
    assertTrue(controlled > 0, "some responses fall in the 100-3000 word window");
    // Every planned row got a query from the rewrite stage: the model's or the appended limit.
    assertEquals(controlled, rows(store, RunPaths.stageOutput(RUN, 0, Stages.LENGTH_CONTROL_REWRITE)));
    assertEquals(controlled, result.getLengthControlRewritten() + result.getLengthControlFallback());
    assertTrue(store.exists(RunPaths.lengthControlDatasetInfo(RUN)));
    // After the rounds, SFT: the Generator's model, fresh (no round adapter), on the controlled set.
    TrainingJob last = trainer.jobs.get(trainer.jobs.size() - 1);
    assertEquals(store.resolve(RunPaths.lengthControlAdapter(RUN)), last.outputDir());
    assertNull(last.initAdapter());
    assertEquals(controlled, last.examples().size());
    assertEquals(RunPaths.lengthControlAdapter(RUN), result.getLengthControlTraining().getAdapter().getPath());
    assertTrue(store.exists(RunPaths.lengthControlAdapter(RUN) + "/adapter_model.safetensors"));

    String report = RunPaths.reportDir(RUN);
    assertEquals(
        List.of(report + "/report.md", report + "/report.json", report + "/lengths.png", report + "/held_out_mean.png"),
        result.getReportFilesList());
    for (String f : result.getReportFilesList()) {
      assertTrue(Files.size(store.resolve(f)) > 100, f);
    }
    String md = store.readString(report + "/report.md");
    assertTrue(md.contains("| round 2 |"));
    assertTrue(md.contains("queries rewritten by"), md);
    assertTrue(md.contains("## Benchmark"), md);
    for (RoundResult r : result.getRoundsList()) {
      assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| %d | longen | 3 | %.4f | 0-1 |", r.getRound(),
          r.getEvaluation().getLength().getOverall())), md);
    }
    assertTrue(md.contains(String.format(java.util.Locale.ROOT, "| seed model | longen | 3 | %.4f | 0-1 |",
        result.getSeedEvaluation().getLength().getOverall())), md);
    assertEquals(result.getSeedEvaluation().getLength().getOverall(),
        JSON.readTree(store.readString(report + "/report.json")).get("seed_evaluation").get("length_score").asDouble(),
        1e-12);
    assertEquals(result.getRounds(1).getEvaluation().getLength().getOverall(),
        JSON.readTree(store.readString(report + "/report.json")).get("rounds").get(1).get("evaluation")
            .get("length_score").asDouble(), 1e-12);

    // Every recorded artifact still matches its checksum; the failed engine call cost one retry.
    for (ManifestEntry e : store.manifest(RUN).latestByPath().values()) {
      assertTrue(store.isComplete(e.path()), e.path());
    }
    assertTrue(store.manifest(RUN).entries().stream().anyMatch(e -> e.producer().attempt() == 2),
        "one shard was retried after the scripted engine failure");
  }

  /**
   * The round's Generator answered the 3 benchmark rows; its scores are those of the responses file
   * scored as `eval --responses` scores it, and its report is in the store.
   */
  private static void assertEvaluation(DataStore store, int k, EvalScores e) {
    assertEquals(3, e.getLength().getCount());
    assertEquals("longen", e.getLength().getBenchmark());
    String responses = RunPaths.stageOutput(RUN, k, Stages.EVAL);
    assertEquals(responses, e.getResponses().getPath());
    assertShards(store, k, Stages.EVAL, 2);
    List<JsonNode> rows = store.readJsonl(responses);
    assertEquals(List.of("q-a", "q-b", "q-c"), rows.stream().map(x -> x.get("query").asText()).toList());
    var rescored = LengthEvaluation.scoreResponses(Benchmark.LONGEN, store.resolve(responses)).summary();
    assertEquals(rescored.getOverall(), e.getLength().getOverall(), 1e-12);
    assertEquals(rescored.getMeanProducedWords(), e.getLength().getMeanProducedWords(), 1e-12);
    assertTrue(e.getLength().getMeanProducedWords() > 0);
    assertTrue(e.getReportFilesList().contains(RunPaths.evalReportDir(RUN, k) + "/responses.eval.md"));
    for (String f : e.getReportFilesList()) {
      assertTrue(store.exists(f), f);
    }
    // The per-round score uses the adapter the round trained; the seed's none.
    var models = store.manifest(RUN).latest(RunPaths.shardOutput(RUN, k, Stages.EVAL, 0)).orElseThrow().models();
    if (k == 0) {
      assertTrue(models.stream().allMatch(m -> m.adapter().isEmpty()), models.toString());
    } else {
      assertTrue(models.stream().anyMatch(m -> m.adapter().endsWith(RunPaths.adapterDir(RUN, k, Roles.GENERATOR))));
    }
  }

  /** A LonGen file of three rows, one per window side. */
  private static Path longen(Path dir) throws IOException {
    Path file = dir.resolve("longen-held-out.jsonl");
    Files.write(file, List.of(
        "{\"type\": \"about\", \"constraint\": \"about 100 words\", \"query\": \"q-a\"}",
        "{\"type\": \"above\", \"constraint\": \"above 300 words\", \"query\": \"q-b\"}",
        "{\"type\": \"below\", \"constraint\": \"below 60 words\", \"query\": \"q-c\"}"));
    return file;
  }

  /** Prepared again, the run recovers both rounds from the store. */
  private static void assertRecovered(RunSpec spec, RunResult result, ScriptedModels models) {
    try (ActivityHarness h = new ActivityHarness(new ControlActivitiesImpl(new DataRoots(), models))) {
      PreparedRun p = h.stub(ControlActivities.class).prepareRun(spec);
      assertEquals(3, p.getState().getNextRound());
      assertEquals(result.getSeedHeldOutLengths(), p.getState().getSeedHeldOutLengths());
      assertEquals(result.getRounds(1).getGeneratorTraining().getAdapter(), p.getState().getGeneratorAdapter());
      assertEquals(result.getRounds(1).getExtenderTraining().getAdapter(), p.getState().getExtenderAdapter());
      assertEquals(result.getRounds(1).getInstructionPool(), p.getState().getInstructionPool());
      for (int i = 0; i < 2; i++) {
        RoundResult want = result.getRounds(i);
        RoundResult got = p.getState().getRounds(i);
        assertEquals(want.getInstructionsMade(), got.getInstructionsMade());
        assertEquals(want.getResponsesKept(), got.getResponsesKept());
        assertEquals(want.getInitialLengths(), got.getInitialLengths());
        assertEquals(want.getExtendedLengths(), got.getExtendedLengths());
        assertEquals(want.getHeldOutLengths(), got.getHeldOutLengths());
        assertEquals(want.getExtensionAcceptance(), got.getExtensionAcceptance());
        assertEquals(want.getGeneratorTraining(), got.getGeneratorTraining());
        assertEquals(want.getEvaluation(), got.getEvaluation());
        assertEquals(
            want.getStagesList().stream().map(s -> s.getOutput().getPath()).toList(),
            got.getStagesList().stream().map(s -> s.getOutput().getPath()).toList());
      }
    }
  }

  private static void assertShards(DataStore store, int round, String stage, int shards) {
    for (int i = 0; i < shards; i++) {
      String shard = RunPaths.shardOutput(RUN, round, stage, i);
      assertTrue(store.isComplete(shard), shard);
    }
    assertTrue(!store.exists(RunPaths.shardOutput(RUN, round, stage, shards)), stage + " has " + shards + " shards");
  }

  private static long rows(DataStore store, String path) {
    return store.readJsonl(path).size();
  }

  private static List<Double> heldOutMeans(RunResult r) {
    return r.getRoundsList().stream().map(x -> x.getHeldOutLengths().getMeanWords()).toList();
  }
}
