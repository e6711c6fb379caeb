package selflengthen.activities.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.CallIds;
import selflengthen.activities.ControlActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.rows.ExtensionRow;
import selflengthen.activities.rows.InstructionRow;
import selflengthen.activities.rows.LongRow;
import selflengthen.activities.rows.MeasureRow;
import selflengthen.activities.rows.PoolRow;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.LanguageProfile;
import selflengthen.method.SftRows;
import selflengthen.model.api.SftExample;
import selflengthen.store.DataStore;
import selflengthen.store.Lineage;
import selflengthen.store.Producer;
import selflengthen.v1.BuiltTrainingSets;
import selflengthen.v1.CollectTask;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DropShortTask;
import selflengthen.v1.LengthControlResult;
import selflengthen.v1.LengthControlTask;
import selflengthen.v1.LengthStats;
import selflengthen.v1.MergeStageTask;
import selflengthen.v1.MergedStage;
import selflengthen.v1.PlanStageTask;
import selflengthen.v1.ReportTask;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.StageContext;
import selflengthen.v1.StagePlan;
import selflengthen.v1.StageResult;
import selflengthen.v1.TrainingSetsTask;
import selflengthen.v1.WrittenReport;

/** The control stages on hand-made inputs in a temp data root. */
class ControlStagesTest {
  static final String RUN = "ctl";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  RunSpec spec;
  DataStore store;
  ActivityHarness harness;
  ControlActivities control;

  @BeforeEach
  void setUp() {
    Path root = tmp.resolve("data");
    spec = TestRuns.resolved(TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), TestRuns.modelDir(tmp)));
    store = DataStore.open(root);
    harness = new ActivityHarness(new ControlActivitiesImpl(new DataRoots(store), new ScriptedModels()));
    control = harness.stub(ControlActivities.class);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  StageContext context(int round, String stage) {
    return StageContext.newBuilder().setSpec(spec).setRound(round).setStage(stage)
        .setCallId(CallIds.stage(RUN, round, stage)).build();
  }

  DatasetRef recorded(String path, List<?> rows) {
    DatasetRef ref = store.writeJsonl(path, rows);
    store.record(ref, Lineage.of(new Producer("test", "test", null, 1)));
    return ref;
  }

  static String words(int n, String stem) {
    return String.join(" ", IntStream.range(0, n).mapToObj(i -> stem + i).toList()) + ".";
  }

  @Test
  void planCutsTheInputIntoShardsAndSaysWhenTheStageIsComplete() {
    DatasetRef input = recorded(RunPaths.stageOutput(RUN, 1, Stages.SELF_INSTRUCT),
        IntStream.range(0, 5).mapToObj(i -> new PoolRow("instruction " + i, "t")).toList());
    String output = RunPaths.stageOutput(RUN, 1, Stages.RESPOND);
    PlanStageTask task = PlanStageTask.newBuilder().setContext(context(1, Stages.RESPOND)).setInput(input)
        .setShardSize(2).setOutputPath(output).build();
    StagePlan plan = control.planStage(task);
    assertEquals(5, plan.getInputRows());
    assertEquals(List.of(0L, 2L, 4L), plan.getShardsList().stream().map(s -> s.getFirstRow()).toList());
    assertEquals(List.of(2L, 2L, 1L), plan.getShardsList().stream().map(s -> s.getRowCount()).toList());
    assertFalse(plan.hasCompleted());

    StagePlan target = control.planStage(task.toBuilder().setTargetRows(6).build());
    assertEquals(3, target.getShardsCount());

    MergedStage merged = control.mergeStage(MergeStageTask.newBuilder().setContext(context(1, Stages.RESPOND))
        .setSamplesIn(5).setShardsTotal(0).setOutputPath(output).build());
    assertEquals(merged, control.planStage(task).getCompleted());
  }

  @Test
  void mergeOfSelfInstructDropsCrossShardNearDuplicatesAndGrowsThePool() throws IOException {
    DatasetRef pool = recorded(RunPaths.seedPool(RUN), TestRuns.SEEDS.stream().map(i -> new PoolRow(i, "seed")).toList());
    String a = "Write a long history of the windmills of the low countries and the people who ran them.";
    String b = "Write a detailed guide to building a wooden boat in a garage over one winter.";
    String c = "Write a novel-length story about a clockmaker who can hear what clocks remember.";
    List<ShardSummary> finished = new ArrayList<>();
    finished.add(shard(0, List.of(new InstructionRow(0, a, 17, 1), new InstructionRow(1, b, 15, 2)), 4));
    finished.add(shard(1, List.of(
        new InstructionRow(2, "  " + a.toUpperCase().replace(".", "!"), 17, 1), // near duplicate of shard 0's row
        new InstructionRow(3, TestRuns.SEEDS.get(5), 16, 1), // near duplicate of the pool
        new InstructionRow(4, c, 14, 3)), 5));
    String output = RunPaths.stageOutput(RUN, 1, Stages.SELF_INSTRUCT);
    // The near-duplicate filter is an option (off by default): on here.
    var ctx = context(1, Stages.SELF_INSTRUCT);
    ctx = ctx.toBuilder().setSpec(ctx.getSpec().toBuilder().setSelfInstruct(
        ctx.getSpec().getSelfInstruct().toBuilder().setNearDuplicateThreshold(0.7f))).build();
    MergeStageTask task = MergeStageTask.newBuilder().setContext(ctx)
        .addAllFinished(List.of(finished.get(1), finished.get(0))) // any order: merged by index
        .setShardsTotal(2).setSamplesIn(5).setOutputPath(output)
        .setPool(pool).setPoolOutputPath(RunPaths.pool(RUN, 1)).build();
    MergedStage m = control.mergeStage(task);

    assertEquals(List.of(a, b, c), store.readJsonl(output).stream().map(r -> r.get("instruction").asText()).toList());
    assertEquals(2, m.getNearDuplicates());
    assertEquals(3, m.getStage().getSamplesOut());
    assertEquals(9, m.getAttempts());
    assertEquals((17 + 15 + 14) / 3.0, m.getStage().getLengths().getMeanWords(), 1e-9);
    List<JsonNode> newPool = store.readJsonl(m.getPool().getPath());
    assertEquals(13, newPool.size());
    assertEquals(List.of(a, b, c), newPool.subList(10, 13).stream().map(r -> r.get("instruction").asText()).toList());
    assertEquals("round-1", newPool.get(12).get("source").asText());
    assertEquals("seed", newPool.get(0).get("source").asText());
    assertEquals(List.of(finished.get(0).getOutput(), finished.get(1).getOutput()), m.getStage().getShardsList());
    assertTrue(store.isComplete(output) && store.isComplete(m.getPool().getPath()));

    long mtime = Files.getLastModifiedTime(store.resolve(output)).toMillis();
    int entries = store.manifest(RUN).entries().size();
    assertEquals(m, control.mergeStage(task));
    assertEquals(entries, store.manifest(RUN).entries().size());
    assertEquals(mtime, Files.getLastModifiedTime(store.resolve(output)).toMillis());
  }

  @Test
  void mergeOfTheMeasurementCountsAnswersThatHitTheTokenBudget() {
    List<MeasureRow> rows = List.of(
        new MeasureRow(0, "q0", words(20, "a"), 20, "stop"),
        new MeasureRow(1, "q1", words(90, "b"), 90, "length"),
        new MeasureRow(2, "q2", words(40, "c"), 40, "stop"));
    DatasetRef ref = recorded(RunPaths.shardOutput(RUN, 1, Stages.MEASURE, 0), rows);
    ShardSummary shard = ShardSummary.newBuilder().setIndex(0).setOutput(ref).setSamplesOut(3)
        .setAttempts(3).setAccepted(3).build();
    MergedStage m = control.mergeStage(MergeStageTask.newBuilder().setContext(context(1, Stages.MEASURE))
        .addFinished(shard).setShardsTotal(1).setSamplesIn(3)
        .setOutputPath(RunPaths.stageOutput(RUN, 1, Stages.MEASURE)).build());
    assertEquals(3, m.getStage().getLengths().getCount());
    assertEquals(1, m.getStage().getLengths().getCapped());
    assertEquals(50.0, m.getStage().getLengths().getMeanWords(), 1e-9);
  }

  ShardSummary shard(int index, List<?> rows, long attempts) {
    DatasetRef ref = recorded(RunPaths.shardOutput(RUN, 1, Stages.SELF_INSTRUCT, index), rows);
    return ShardSummary.newBuilder().setIndex(index).setOutput(ref).setSamplesOut(rows.size())
        .setAttempts(attempts).setAccepted(rows.size()).build();
  }

  @Test
  void dropShortAlwaysDropsTheShortestAndIsSeeded() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      rows.add(Map.of("row", i, "instruction", "q" + i, "response", words(i * 5, "w"), "words", i * 5));
    }
    DatasetRef input = recorded(RunPaths.stageOutput(RUN, 1, Stages.RESPOND), rows);
    DropShortTask task = DropShortTask.newBuilder().setContext(context(1, Stages.DROP_SHORT)).setInput(input)
        .setOutputPath(RunPaths.stageOutput(RUN, 1, Stages.DROP_SHORT)).setSeed(11).build();
    StageResult r = control.dropShort(task);
    List<Integer> kept = store.readJsonl(r.getOutput().getPath()).stream().map(n -> n.get("words").asInt()).toList();
    assertEquals(40, r.getSamplesIn());
    assertEquals(kept.size(), r.getSamplesOut());
    assertFalse(kept.contains(5), "the shortest always goes");
    assertTrue(kept.contains(200), "the longest always stays");
    // Survival 1 - 2 r^3 keeps about 60% on average (r above 0.79 never survives).
    assertTrue(kept.size() > 12 && kept.size() < 34, "kept " + kept.size());
    assertEquals(kept.stream().sorted().toList(), kept, "input order kept");
    assertEquals(kept.stream().mapToInt(Integer::intValue).average().orElseThrow(), r.getLengths().getMeanWords(), 1e-9);

    DropShortTask otherSeed = task.toBuilder().setSeed(12)
        .setOutputPath(RunPaths.stageOutput(RUN, 1, Stages.DROP_SHORT_EXTENDED)).build();
    List<Integer> other = store.readJsonl(control.dropShort(otherSeed).getOutput().getPath()).stream()
        .map(n -> n.get("words").asInt()).toList();
    assertNotEquals(kept, other, "another seed draws other survivors");
  }

  @Test
  void dropShortDisabledKeepsEveryRow() {
    spec = spec.toBuilder().setDropShort(spec.getDropShort().toBuilder().setEnabled(false)).build();
    DatasetRef input = recorded(RunPaths.stageOutput(RUN, 1, Stages.RESPOND),
        IntStream.range(1, 6).mapToObj(i -> Map.of("response", words(i, "w"))).toList());
    StageResult r = control.dropShort(DropShortTask.newBuilder().setContext(context(1, Stages.DROP_SHORT))
        .setInput(input).setOutputPath(RunPaths.stageOutput(RUN, 1, Stages.DROP_SHORT)).setSeed(1).build());
    assertEquals(5, r.getSamplesOut());
  }

  @Test
  void trainingSetsAreLlamaFactoryJsonWithDatasetInfo() throws IOException {
    List<ExtensionRow> rows = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String initial = String.join("\n", IntStream.range(0, 10).mapToObj(l -> "line " + l + " of answer.").toList());
      rows.add(new ExtensionRow(i, 0, "instruction " + i, initial, words(40, "ext" + i), 40, 41, 1));
    }
    DatasetRef extended = recorded(RunPaths.stageOutput(RUN, 1, Stages.DROP_SHORT_EXTENDED), rows);
    TrainingSetsTask task = TrainingSetsTask.newBuilder().setContext(context(1, Stages.TRAINING_SETS))
        .setExtended(extended)
        .setGeneratorOutputPath(RunPaths.trainingSet(RUN, 1, Roles.GENERATOR))
        .setExtenderOutputPath(RunPaths.trainingSet(RUN, 1, Roles.EXTENDER))
        .setDatasetInfoPath(RunPaths.datasetInfo(RUN, 1)).setSeed(5).build();
    BuiltTrainingSets sets = control.buildTrainingSets(task);

    List<SftExample> gen = SftRows.readLlamaFactoryJson(store.resolve(sets.getGenerator().getPath()));
    List<SftExample> ext = SftRows.readLlamaFactoryJson(store.resolve(sets.getExtender().getPath()));
    assertEquals(3, sets.getGenerator().getCount());
    assertEquals(3, ext.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(new SftExample("instruction " + i, "", words(40, "ext" + i)), gen.get(i));
      String prompt = ext.get(i).instruction();
      assertTrue(prompt.contains("instruction " + i), prompt);
      long lines = IntStream.range(0, 10).filter(l -> prompt.contains("line " + l + " of answer.")).count();
      assertTrue(lines >= 1 && lines <= 10, "about 20% of the initial lines dropped: " + lines);
      assertEquals(words(40, "ext" + i), ext.get(i).output());
    }
    long kept = ext.stream().mapToLong(e -> IntStream.range(0, 10).filter(l -> e.instruction().contains("line " + l + " of")).count()).sum();
    assertTrue(kept < 30, "some lines dropped over the set: kept " + kept + " of 30");
    JsonNode info = JSON.readTree(store.resolve(sets.getDatasetInfoPath()).toFile());
    assertEquals("generator.json", info.get("generator").get("file_name").asText());
    assertEquals("extender.json", info.get("extender").get("file_name").asText());
    assertEquals("output", info.get("extender").get("columns").get("response").asText());
    assertEquals(store.sha256(sets.getGenerator().getPath()), sets.getGenerator().getSha256());
    assertTrue(store.isComplete(sets.getExtender().getPath()));
    assertEquals(sets, control.buildTrainingSets(task));
  }

  @Test
  void collectAndLengthControlMakeLongJsonlAndTheConstrainedSet() throws IOException {
    int[] lengths = {50, 120, 480, 950, 1700, 2600, 3100};
    List<DatasetRef> sources = new ArrayList<>();
    for (int k = 1; k <= 2; k++) {
      List<ExtensionRow> rows = new ArrayList<>();
      for (int i = 0; i < lengths.length; i++) {
        rows.add(new ExtensionRow(i, 0, "query " + k + "." + i, "short.", words(lengths[i], "r" + k), 1, lengths[i], 1));
      }
      sources.add(recorded(RunPaths.stageOutput(RUN, k, Stages.DROP_SHORT_EXTENDED), rows));
    }
    StageResult collected = control.collect(CollectTask.newBuilder().setContext(context(0, Stages.COLLECT))
        .addAllSources(sources).setOutputPath(RunPaths.longSet(RUN)).build());
    List<LongRow> long_ = store.readJsonl(RunPaths.longSet(RUN), LongRow.class);
    assertEquals(14, collected.getSamplesOut());
    assertEquals(new LongRow("query 1.0", words(50, "r1"), 50, 1), long_.get(0));
    assertEquals(2, long_.get(13).round());

    LengthControlTask task = LengthControlTask.newBuilder().setContext(context(0, Stages.LENGTH_CONTROL))
        .setLongSet(collected.getOutput()).setOutputPath(RunPaths.lengthControlSet(RUN))
        .setDatasetInfoPath(RunPaths.lengthControlDatasetInfo(RUN)).setSeed(3).build();
    LengthControlResult lc = control.lengthControl(task);
    List<SftExample> rows = SftRows.readLlamaFactoryJson(store.resolve(RunPaths.lengthControlSet(RUN)));
    assertEquals(10, rows.size(), "responses of 120-2600 words are in [100, 3000)");
    assertEquals(10, lc.getPerTypeMap().values().stream().mapToLong(Long::longValue).sum());
    for (SftExample row : rows) {
      assertTrue(row.instruction().startsWith("query "), row.instruction());
      assertTrue(row.instruction().matches("(?s).*words\\.?$"), row.instruction());
      int n = LanguageProfile.EN.countWords(row.output());
      assertTrue(n >= 100 && n < 3000);
    }
    JsonNode info = JSON.readTree(store.resolve(RunPaths.lengthControlDatasetInfo(RUN)).toFile());
    assertEquals("sft.json", info.get("length_control").get("file_name").asText());
    assertEquals(lc, control.lengthControl(task));
  }

  @Test
  void lengthControlPlansTheLimitsThenWritesTheRewrittenRowsAndCountsTheFallbacks() throws IOException {
    int[] lengths = {50, 120, 480, 950, 1700, 2600, 3100};
    List<LongRow> long_ = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      long_.add(new LongRow("query " + i, words(lengths[i], "r"), lengths[i], 1));
    }
    DatasetRef longSet = recorded(RunPaths.longSet(RUN), long_);
    LengthControlTask.Builder base = LengthControlTask.newBuilder().setContext(context(0, Stages.LENGTH_CONTROL))
        .setLongSet(longSet).setOutputPath(RunPaths.lengthControlSet(RUN))
        .setDatasetInfoPath(RunPaths.lengthControlDatasetInfo(RUN)).setSeed(3);
    LengthControlResult plan = control.lengthControl(base.clone().setPlanOutputPath(RunPaths.lengthControlPlan(RUN)).build());
    List<JsonNode> planned = store.readJsonl(RunPaths.lengthControlPlan(RUN));
    assertEquals(5, planned.size(), "responses of 120-2600 words are in [100, 3000)");
    assertEquals(5, plan.getStage().getSamplesOut());
    for (JsonNode r : planned) {
      assertEquals("en", r.get("language").asText());
      String limit = r.get("limit").asText();
      assertTrue(limit.endsWith(" words"), limit);
      r.get("numbers").forEach(n -> assertTrue(limit.contains(n.asText()), limit));
      assertTrue(r.get("fallback").asText().startsWith(r.get("query").asText() + "\n"), r.toString());
    }
    // The rewrite stage's rows: the first three rewritten, the rest fell back.
    List<selflengthen.activities.rows.LengthRewriteRow> rewritten = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      JsonNode r = planned.get(i);
      boolean ok = i < 3;
      rewritten.add(new selflengthen.activities.rows.LengthRewriteRow(i,
          ok ? "Rewritten: " + r.get("query").asText() + " in " + r.get("limit").asText() : r.get("fallback").asText(),
          r.get("response").asText(), r.get("words").asInt(), r.get("type").asText(), ok, ok ? 1 : 3));
    }
    DatasetRef rows = recorded(RunPaths.stageOutput(RUN, 0, Stages.LENGTH_CONTROL_REWRITE), rewritten);
    LengthControlResult lc = control.lengthControl(base.clone().setRewritten(rows).build());
    assertEquals(3, lc.getRewritten());
    assertEquals(2, lc.getFallback());
    assertFalse(lc.getModel().isEmpty(), "the rewriting model is named");
    List<SftExample> set = SftRows.readLlamaFactoryJson(store.resolve(RunPaths.lengthControlSet(RUN)));
    assertEquals(5, set.size());
    assertTrue(set.get(0).instruction().startsWith("Rewritten: "));
    assertEquals(planned.get(4).get("fallback").asText(), set.get(4).instruction());
    assertEquals(lc, control.lengthControl(base.clone().setRewritten(rows).build()));
  }

  @Test
  void reportWritesMarkdownJsonAndChartsAndRewritesForANewResult() throws IOException {
    List<Map<String, Object>> answers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      answers.add(Map.of("row", i, "response", words(30 + 10 * i, "a"), "words", 30 + 10 * i));
    }
    DatasetRef seed = recorded(RunPaths.stageOutput(RUN, 0, Stages.MEASURE), answers);
    DatasetRef r1 = recorded(RunPaths.stageOutput(RUN, 1, Stages.MEASURE),
        answers.stream().map(a -> Map.<String, Object>of("response", a.get("response"), "words", (int) a.get("words") * 2)).toList());
    RoundResult round = RoundResult.newBuilder().setRound(1)
        .addStages(StageResult.newBuilder().setName(Stages.MEASURE).setOutput(r1))
        .setHeldOutLengths(LengthStats.newBuilder().setCount(4).setMeanWords(90).setCapped(1))
        .setInitialLengths(LengthStats.newBuilder().setCount(8).setMeanWords(70))
        .setExtendedLengths(LengthStats.newBuilder().setCount(6).setMeanWords(120)).build();
    RunResult result = RunResult.newBuilder().setRunId(RUN).addRounds(round)
        .setSeedHeldOutLengths(LengthStats.newBuilder().setCount(4).setMeanWords(45)).build();
    ReportTask task = ReportTask.newBuilder().setContext(context(0, Stages.REPORT)).setResult(result)
        .setOutputDir(RunPaths.reportDir(RUN)).build();
    WrittenReport report = control.writeReport(task);
    String dir = RunPaths.reportDir(RUN);
    assertEquals(List.of(dir + "/report.md", dir + "/report.json", dir + "/lengths.png", dir + "/held_out_mean.png"),
        report.getFilesList());
    for (String f : report.getFilesList()) {
      assertTrue(store.isComplete(f), f);
    }
    byte[] png = Files.readAllBytes(store.resolve(dir + "/lengths.png"));
    assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
    String md = store.readString(dir + "/report.md");
    assertTrue(md.contains("| seed model | 45.0 |") && md.contains("| round 1 | 90.0 |"), md);
    assertTrue(md.contains("![lengths.png](lengths.png)"), md);
    assertTrue(md.contains("| round 1 | 90.0 |") && md.contains("| 1 of 4 |"), "capped answers: " + md);
    JsonNode json = JSON.readTree(store.readString(dir + "/report.json"));
    assertEquals(90.0, json.get("rounds").get(0).get("held_out").get("mean_words").asDouble());
    assertEquals(1, json.get("rounds").get(0).get("held_out").get("capped").asInt());
    assertEquals(RUN, json.get("result").get("run_id").asText());

    int entries = store.manifest(RUN).entries().size();
    assertEquals(report, control.writeReport(task));
    assertEquals(entries, store.manifest(RUN).entries().size(), "the same result: nothing rewritten");

    // A resumed finished run reports its rounds as skipped, without stage times: the report the
    // first execution wrote stands, byte for byte, and the manifest gets no line.
    byte[] reportJson = Files.readAllBytes(store.resolve(dir + "/report.json"));
    byte[] reportMd = Files.readAllBytes(store.resolve(dir + "/report.md"));
    byte[] manifest = Files.readAllBytes(store.resolve("runs/" + RUN + "/manifest.jsonl"));
    RoundResult recovered = round.toBuilder().clearStages()
        .addStages(StageResult.newBuilder().setName(Stages.MEASURE).setOutput(r1).setSkipped(true)).build();
    assertEquals(report, control.writeReport(task.toBuilder()
        .setResult(result.toBuilder().clearRounds().addRounds(recovered)).build()));
    assertArrayEquals(reportJson, Files.readAllBytes(store.resolve(dir + "/report.json")));
    assertArrayEquals(reportMd, Files.readAllBytes(store.resolve(dir + "/report.md")));
    assertArrayEquals(manifest, Files.readAllBytes(store.resolve("runs/" + RUN + "/manifest.jsonl")));
    control.writeReport(task.toBuilder().setResult(result.toBuilder().setSeedHeldOutLengths(
        LengthStats.newBuilder().setCount(4).setMeanWords(50))).build());
    assertTrue(store.readString(dir + "/report.md").contains("| seed model | 50.0 |"), "a new result rewrites it");
    assertTrue(seed.getCount() == 4);
  }
}
