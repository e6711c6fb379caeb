package selflengthen.activities.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.CallIds;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Seeds;
import selflengthen.activities.Stages;
import selflengthen.activities.rows.PoolRow;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedModel;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.InstructionCandidates;
import selflengthen.method.LanguageProfile;
import selflengthen.method.NearDuplicates;
import selflengthen.method.ResponseCheck;
import selflengthen.model.api.GenerationRequest;
import selflengthen.store.DataStore;
import selflengthen.store.Lineage;
import selflengthen.store.Producer;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageContext;

/** The inference activities against a temp data root and the scripted model. */
class InferenceActivitiesTest {
  static final String RUN = "inf";

  @TempDir Path tmp;
  Path seeds;
  Path model;

  @BeforeEach
  void files() {
    seeds = TestRuns.seedFile(tmp, TestRuns.SEEDS);
    model = TestRuns.modelDir(tmp);
  }

  RunSpec spec(Path root, int maxBatch) {
    RunSpec.Builder b = TestRuns.spec(RUN, root, seeds, model);
    b.getModelsBuilder().setMaxBatchSize(maxBatch);
    return TestRuns.resolved(b);
  }

  static ShardTask task(RunSpec spec, int round, String stage, DatasetRef input, int index, long first, long count,
      String role) {
    return ShardTask.newBuilder()
        .setContext(
            StageContext.newBuilder()
                .setSpec(spec)
                .setRound(round)
                .setStage(stage)
                .setCallId(CallIds.shard(RUN, round, stage, index)))
        .setShard(ShardRef.newBuilder().setInput(input).setIndex(index).setFirstRow(first).setRowCount(count))
        .setOutputPath(RunPaths.shardOutput(RUN, round, stage, index))
        .setSeed(Seeds.derive(spec.getSeed(), round, stage, index))
        .setRole(role)
        .setStageOutputPath(RunPaths.stageOutput(RUN, round, stage))
        .build();
  }

  /** Four instructions as self-instruct's merged output. */
  static DatasetRef instructions(DataStore store) {
    List<PoolRow> rows = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      rows.add(new PoolRow(TestRuns.SEEDS.get(i), "test"));
    }
    return store.writeJsonl(RunPaths.stageOutput(RUN, 1, Stages.SELF_INSTRUCT), rows);
  }

  static ShardTask respondTask(RunSpec spec, DatasetRef input) {
    return task(spec, 1, Stages.RESPOND, input, 0, 1, 3, Roles.GENERATOR);
  }

  @Test
  void respondAnswersEachInstructionTwiceWithCheckedResponsesInRowOrder() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = respondTask(spec, instructions(store));
      ShardSummary s = h.stub(InferenceActivities.class).respondShard(task);

      List<JsonNode> rows = store.readJsonl(task.getOutputPath());
      assertEquals(6, rows.size(), "rows 1-3 of the input, 2 answers each");
      assertEquals(6, s.getSamplesOut());
      assertEquals(3, s.getSamplesIn());
      ResponseCheck check = LanguageProfile.EN.defaultCheck();
      int i = 0;
      for (long row = 1; row <= 3; row++) {
        for (int sample = 0; sample < 2; sample++) {
          JsonNode r = rows.get(i++);
          assertEquals(row, r.get("row").asLong());
          assertEquals(sample, r.get("sample").asInt());
          assertEquals(TestRuns.SEEDS.get((int) row), r.get("instruction").asText());
          assertTrue(check.passes(r.get("response").asText()), r.toString());
          assertEquals(LanguageProfile.EN.countWords(r.get("response").asText()), r.get("words").asInt());
        }
      }
      int tries = rows.stream().mapToInt(r -> r.get("tries").asInt()).sum();
      assertEquals(tries, s.getAttempts());
      assertTrue(tries > 6, "some scripted answers fail the check and are sampled again: " + tries);
      assertEquals(tries, models.model.calls.get());
      double mean = rows.stream().mapToInt(r -> r.get("words").asInt()).average().orElseThrow();
      assertEquals(mean, s.getLengths().getMeanWords(), 1e-9);
      assertTrue(models.model.maxInFlight() > 1, "the shard's requests reach the engine together");
      // Recorded complete with its checksum and lineage.
      var entry = store.manifest(RUN).latest(task.getOutputPath()).orElseThrow();
      assertEquals(s.getOutput().getSha256(), entry.sha256());
      assertEquals(store.sha256(task.getOutputPath()), entry.sha256());
      assertEquals(Stages.RESPOND, entry.producer().stage());
      assertEquals(0, entry.producer().shard());
      assertEquals(RunPaths.stageOutput(RUN, 1, Stages.SELF_INSTRUCT), entry.inputs().get(0).path());
      assertEquals(model.toString(), entry.models().get(0).path());
    }
  }

  @Test
  void aCompleteShardReturnsItsRecordedSummaryWithoutCallingTheModel() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = respondTask(spec, instructions(store));
      ShardSummary first = h.stub(InferenceActivities.class).respondShard(task);
      int calls = models.model.calls.get();
      int entries = store.manifest(RUN).entries().size();
      ShardSummary again = h.stub(InferenceActivities.class).respondShard(task);
      assertEquals(first, again);
      assertEquals(calls, models.model.calls.get(), "no generation for a complete shard");
      assertEquals(entries, store.manifest(RUN).entries().size(), "nothing recorded twice");
    }
  }

  @Test
  void aShardThatDiesMidwayIsRetriedWithoutLosingOrRepeatingASample() throws IOException {
    // One request at a time, so the failure falls after a known number of committed rows.
    byte[] expected = freshShard(tmp.resolve("fresh"), 1);
    int callsFresh = lastCalls;

    Path root = tmp.resolve("crash");
    RunSpec spec = spec(root, 1);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    models.model.failAfter(callsFresh / 2);
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = respondTask(spec, instructions(store));
      ActivityFailure f =
          assertThrows(ActivityFailure.class, () -> h.stub(InferenceActivities.class).respondShard(task));
      assertTrue(f.getCause().getMessage().contains("scripted engine failure"), f.getCause().getMessage());
      Path target = store.resolve(task.getOutputPath());
      assertFalse(Files.exists(target), "an unfinished shard is not in place");
      List<String> committed = Files.readAllLines(target.resolveSibling(target.getFileName() + ".partial"));
      assertTrue(committed.size() > 0 && committed.size() < 6, "committed before dying: " + committed.size());
      assertTrue(store.manifest(RUN).latest(task.getOutputPath()).isEmpty());

      ShardSummary s = h.stub(InferenceActivities.class).respondShard(task);
      assertEquals(committed.size(), s.getResumedRows());
      assertArrayEquals(expected, Files.readAllBytes(target), "same rows, same order as a run that never died");
      int extra = models.model.calls.get() - callsFresh;
      assertTrue(extra >= 1 && extra <= spec.getInitialResponses().getMaxTries(),
          "only the unit that died is redone, from its first try: " + extra);
    }
  }

  @Test
  void concurrentRequestsStillCommitEveryUnitOnceAcrossARetry() throws IOException {
    byte[] expected = freshShard(tmp.resolve("fresh"), 4);
    Path root = tmp.resolve("crash");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    models.model.failAfter(lastCalls - 3);
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = respondTask(spec, instructions(store));
      assertThrows(ActivityFailure.class, () -> h.stub(InferenceActivities.class).respondShard(task));
      h.stub(InferenceActivities.class).respondShard(task);
      assertArrayEquals(expected, Files.readAllBytes(store.resolve(task.getOutputPath())));
    }
  }

  private int lastCalls;

  private byte[] freshShard(Path root, int maxBatch) throws IOException {
    RunSpec spec = spec(root, maxBatch);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = respondTask(spec, instructions(store));
      h.stub(InferenceActivities.class).respondShard(task);
      lastCalls = models.model.calls.get();
      return Files.readAllBytes(store.resolve(task.getOutputPath()));
    }
  }

  @Test
  void selfInstructKeepsJudgedInstructionsInTheWindowThatAreNoPoolDuplicates() {
    Path root = tmp.resolve("data");
    RunSpec base = spec(root, 4);
    // The near-duplicate filter is an option (off by default): on here, so copies are refused.
    RunSpec spec = base.toBuilder().setSelfInstruct(
        base.getSelfInstruct().toBuilder().setNearDuplicateThreshold(0.7f).setBatchSize(1)).build();
    DataStore store = DataStore.open(root);
    DatasetRef pool =
        store.writeJsonl(RunPaths.seedPool(RUN), TestRuns.SEEDS.stream().map(i -> new PoolRow(i, "seed")).toList());
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = task(spec, 1, Stages.SELF_INSTRUCT, pool, 1, 4, 12, Roles.GENERATOR);
      ShardSummary s = h.stub(InferenceActivities.class).selfInstructShard(task);
      List<JsonNode> rows = store.readJsonl(task.getOutputPath());
      assertEquals(12, s.getSamplesIn());
      assertEquals(rows.size(), s.getSamplesOut());
      assertTrue(rows.size() >= 9, "most requested instructions are made: " + rows.size());
      NearDuplicates poolIndex = new NearDuplicates();
      poolIndex.addAll(TestRuns.SEEDS);
      InstructionCandidates window = InstructionCandidates.of(LanguageProfile.EN, spec.getSelfInstruct());
      long previous = 3;
      for (JsonNode r : rows) {
        String instruction = r.get("instruction").asText();
        assertTrue(r.get("row").asLong() > previous && r.get("row").asLong() < 16, r.toString());
        previous = r.get("row").asLong();
        assertTrue(window.withinWindow(instruction), instruction);
        assertFalse(instruction.contains("haiku"), "the judge said no: " + instruction);
        assertFalse(poolIndex.isNearDuplicate(instruction), instruction);
      }
      List<GenerationRequest> requests = new ArrayList<>(models.model.requests);
      long asked = requests.stream().filter(r -> r.forcedPrefix().endsWith("Instruction 3:")).count();
      long judged = requests.stream().filter(r -> r.prompt().contains("Yes or No")).count();
      long haikus = requests.stream().filter(r -> r.prompt().contains("Yes or No") && r.prompt().contains("haiku")).count();
      assertEquals(asked, s.getAttempts(), "attempts count every few-shot prompt");
      assertTrue(haikus > 0, "some candidates were refused by the judge");
      assertTrue(judged < asked, "candidates outside the window or duplicating the pool never reach the judge");
      // The judge samples with the run's sampling, as the reference's.
      assertTrue(requests.stream().filter(r -> r.prompt().contains("Yes or No")).noneMatch(r -> r.sampling().isGreedy()));
      // A raw completion: the examples stand in the assistant turn; it stops at a fourth
      // instruction and at the reference's stops; the base model (no adapter) writes and judges.
      List<GenerationRequest> made = requests.stream().filter(r -> r.forcedPrefix().endsWith("Instruction 3:")).toList();
      assertTrue(made.stream().allMatch(r -> r.forcedPrefix().startsWith("Instruction 1: ")
          && r.stopStrings().contains("\nInstruction 4") && r.stopStrings().contains("\n\n---") && r.adapter() == null));
      assertTrue(requests.stream().allMatch(r -> r.adapter() == null));
    }
  }

  @Test
  void aShardDrawsFromTheSeedsAndWhatTheEarlierShardsOfItsBatchAccepted() throws Exception {
    Path root = tmp.resolve("data");
    RunSpec base = spec(root, 4);
    RunSpec spec = base.toBuilder()
        .setSelfInstruct(base.getSelfInstruct().toBuilder().setInstructionsPerRound(16).setBatchSize(500))
        .setParallelism(base.getParallelism().toBuilder().setShardSize(8))
        .build();
    DataStore store = DataStore.open(root);
    DatasetRef pool =
        store.writeJsonl(RunPaths.seedPool(RUN), TestRuns.SEEDS.stream().map(i -> new PoolRow(i, "seed")).toList());
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models, java.time.Duration.ofMillis(50)))) {
      InferenceActivities stub = h.stub(InferenceActivities.class);
      ShardTask first = task(spec, 1, Stages.SELF_INSTRUCT, pool, 0, 0, 8, Roles.GENERATOR);
      stub.selfInstructShard(first);
      List<String> fromFirst = store.readJsonl(first.getOutputPath()).stream()
          .map(r -> r.get("instruction").asText()).toList();
      assertFalse(fromFirst.isEmpty());
      ShardTask second = task(spec, 1, Stages.SELF_INSTRUCT, pool, 1, 8, 8, Roles.GENERATOR);
      int before = models.model.requests.size();
      stub.selfInstructShard(second);
      List<GenerationRequest> secondRequests =
          new ArrayList<>(models.model.requests).subList(before, models.model.requests.size());
      assertTrue(secondRequests.stream().anyMatch(r -> fromFirst.stream().anyMatch(i -> r.forcedPrefix().contains(i))),
          "shard 1's examples include what shard 0 accepted");
    }
  }

  @Test
  void lengthRewriteKeepsRewritesThatQuoteTheLimitElseFallsBack() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    List<selflengthen.activities.rows.LengthPlanRow> plan = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      plan.add(new selflengthen.activities.rows.LengthPlanRow(i, "Write about rivers " + i + ".", "A response.", 2400,
          "about", "en", "around 2000 words", List.of("2000"), "Write about rivers " + i + ".\nPlease answer in about 2000 words."));
    }
    DatasetRef planRef = store.writeJsonl(RunPaths.lengthControlPlan(RUN), plan);
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = task(spec, 0, Stages.LENGTH_CONTROL_REWRITE, planRef, 0, 0, 8, "length_control");
      ShardSummary s = h.stub(InferenceActivities.class).lengthRewriteShard(task);
      List<JsonNode> rows = store.readJsonl(task.getOutputPath());
      assertEquals(8, rows.size(), "every planned row gets a query");
      assertEquals(8, s.getSamplesOut());
      long rewritten = rows.stream().filter(r -> r.get("rewritten").asBoolean()).count();
      assertTrue(rewritten > 0 && rewritten < 8, "some rewrites kept the number, some fell back: " + rewritten);
      for (JsonNode r : rows) {
        String q = r.get("instruction").asText();
        if (r.get("rewritten").asBoolean()) {
          assertEquals("Write the piece in around 2000 words, please.", q);
        } else {
          assertTrue(q.endsWith("Please answer in about 2000 words."), q);
          assertEquals(3, r.get("tries").asInt(), "retried before the fallback");
        }
      }
      // The base model rewrites: no adapter; the limit stands in the system turn.
      assertTrue(models.model.requests.stream().allMatch(r -> r.adapter() == null && r.prompt().contains("around 2000 words")));
    }
  }

  @Test
  void extendKeepsAttemptsThatGrowBeyondMinGrowthWithPrefixForcedContinuations() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    List<Object> kept = new ArrayList<>();
    String[] responses = {
      "Bridges began as fallen logs across streams. People soon laid stones in shallow water to cross.\n\n"
          + "The Romans built arches of cut stone that still stand today in many towns.\n\n"
          + "Iron and then steel let engineers span wide rivers with trusses and cables.",
      "Bees need water, flowers and shelter in every season of the year in a city.\n\n"
          + "In spring the colony grows quickly and the keeper adds boxes for honey.\n\n"
          + "In winter the bees cluster together and live on the stores they made in summer."
    };
    for (int i = 0; i < responses.length; i++) {
      kept.add(java.util.Map.of("row", i, "sample", 0, "instruction", TestRuns.SEEDS.get(i), "response", responses[i],
          "words", LanguageProfile.EN.countWords(responses[i])));
    }
    DatasetRef input = store.writeJsonl(RunPaths.stageOutput(RUN, 1, Stages.DROP_SHORT), kept);
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = task(spec, 1, Stages.EXTEND, input, 0, 0, 2, Roles.EXTENDER);
      ShardSummary s = h.stub(InferenceActivities.class).extendShard(task);
      List<JsonNode> rows = store.readJsonl(task.getOutputPath());
      assertEquals(4, s.getAttempts(), "2 kept responses x 2 attempts");
      assertEquals(rows.size(), s.getAccepted());
      assertTrue(rows.size() >= 3, "the scripted extender grows most attempts: " + rows.size());
      ResponseCheck check = LanguageProfile.EN.defaultCheck();
      for (JsonNode r : rows) {
        String original = responses[r.get("row").asInt()];
        String extended = r.get("extended").asText();
        assertEquals(original, r.get("response").asText());
        assertEquals(LanguageProfile.EN.countWords(original), r.get("initial_words").asInt());
        assertTrue(r.get("words").asInt() > 1.2 * r.get("initial_words").asInt(), r.toString());
        assertTrue(check.passes(extended));
      }
      List<GenerationRequest> requests = new ArrayList<>(models.model.requests);
      long whole = requests.stream().filter(r -> !r.forcedPrefix().isEmpty()).count();
      long former = requests.stream().filter(r -> r.forcedPrefix().isEmpty()).count();
      assertEquals(former, whole, "each micro-iteration: expand the former half, then the whole with its prefix");
      assertEquals(0, former % 3, "3 micro-iterations per try");
      // The whole-text expansion is forced to start with the head of the former-half expansion.
      for (GenerationRequest w : requests.stream().filter(r -> !r.forcedPrefix().isEmpty()).toList()) {
        assertTrue(w.prompt().endsWith("<|assistant|>"), "the prefix goes after the chat prompt");
      }
    }
  }

  @Test
  void measureAnswersEachHeldOutInstructionOnceWithTheRoundsAdapter() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    DatasetRef heldOut =
        store.writeJsonl(RunPaths.heldOut(RUN), TestRuns.SEEDS.subList(0, 3).stream().map(i -> new PoolRow(i, "held_out")).toList());
    ScriptedModels models = new ScriptedModels();
    String adapter = RunPaths.adapterDir(RUN, 2, Roles.GENERATOR);
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task =
          task(spec, 2, Stages.MEASURE, heldOut, 0, 0, 3, Roles.GENERATOR).toBuilder()
              .setAdapter(AdapterRef.newBuilder().setPath(adapter).setRole(Roles.GENERATOR).setRound(2))
              .build();
      ShardSummary s = h.stub(InferenceActivities.class).measureShard(task);
      List<JsonNode> rows = store.readJsonl(task.getOutputPath());
      assertEquals(3, rows.size());
      assertEquals(3, models.model.calls.get(), "once each, unchecked");
      for (int i = 0; i < 3; i++) {
        assertEquals(i, rows.get(i).get("row").asInt());
        assertEquals("stop", rows.get(i).get("finish").asText());
      }
      assertTrue(s.getLengths().getMinWords() >= 40 + 80, "the round-2 adapter answers longer");
      for (GenerationRequest r : models.model.requests) {
        assertEquals(store.resolve(adapter).toString(), r.adapter());
      }
      var entry = store.manifest(RUN).latest(task.getOutputPath()).orElseThrow();
      assertEquals(store.resolve(adapter).toString(), entry.models().get(0).adapter());
    }
  }

  @Test
  void aShardWhoseStageEndedStopsBeforeAnySample() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 4);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    DatasetRef input = instructions(store);
    // The stage merged without this shard (straggler cut).
    DatasetRef merged = store.writeJsonl(RunPaths.stageOutput(RUN, 1, Stages.RESPOND), List.of(new PoolRow("x", "y")));
    store.record(merged, Lineage.of(new Producer("w", Stages.RESPOND, null, 1)));
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), models))) {
      ActivityFailure f =
          assertThrows(ActivityFailure.class, () -> h.stub(InferenceActivities.class).respondShard(respondTask(spec, input)));
      ApplicationFailure a = assertInstanceOf(ApplicationFailure.class, f.getCause());
      assertEquals(ActivityErrors.SHARD_ABANDONED, a.getType());
      assertTrue(a.isNonRetryable());
      assertEquals(0, models.model.calls.get());
    }
  }

  @Test
  void aCancelledShardStopsAtItsNextHeartbeatAndLeavesItsPartialFile() throws Exception {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, 1);
    DataStore store = DataStore.open(root);
    ScriptedModel model = new ScriptedModel();
    model.delay(400);
    CountDownLatch heartbeats = new CountDownLatch(2);
    try (ActivityHarness h = new ActivityHarness(
        new InferenceActivitiesImpl(new DataRoots(store), new ScriptedModels(model), Duration.ofMillis(50)))) {
      h.env.setActivityHeartbeatListener(ShardRunner.Progress.class, p -> heartbeats.countDown());
      ShardTask task = respondTask(spec, instructions(store));
      CompletableFuture<ShardSummary> running =
          CompletableFuture.supplyAsync(
              () -> h.stub(InferenceActivities.class, Duration.ofSeconds(1)).respondShard(task));
      assertTrue(heartbeats.await(10, TimeUnit.SECONDS));
      h.env.requestCancelActivity();
      Exception e = assertThrows(Exception.class, () -> running.get(10, TimeUnit.SECONDS));
      int callsAtStop = model.calls.get();
      Thread.sleep(400);
      assertEquals(callsAtStop, model.calls.get(), "no request after the stop: " + e);
      Path target = store.resolve(task.getOutputPath());
      assertFalse(Files.exists(target));
      assertTrue(Files.exists(target.resolveSibling(target.getFileName() + ".partial")));
    }
  }
}
