package selflengthen.activities.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.ControlActivities;
import selflengthen.activities.RunPaths;
import selflengthen.activities.models.ModelPool;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.TestRuns;
import selflengthen.store.Checksums;
import selflengthen.store.DataStore;
import selflengthen.v1.ModelRef;
import selflengthen.v1.PreparedRun;
import selflengthen.v1.RunSpec;

/** prepareRun: the run's files, and every kind of bad input failing at once with its name. */
class PrepareRunTest {
  @TempDir Path tmp;
  Path seeds;
  Path model;
  Path root;

  @BeforeEach
  void files() {
    seeds = TestRuns.seedFile(tmp, TestRuns.SEEDS);
    model = TestRuns.modelDir(tmp);
    root = tmp.resolve("data");
  }

  RunSpec.Builder spec() {
    return TestRuns.spec("prep", root, seeds, model);
  }

  PreparedRun prepare(RunSpec spec, ModelProvider models) {
    try (ActivityHarness h = new ActivityHarness(new ControlActivitiesImpl(new DataRoots(), models))) {
      return h.stub(ControlActivities.class).prepareRun(spec);
    }
  }

  ApplicationFailure failure(RunSpec spec, ModelProvider models) {
    ActivityFailure f = assertThrows(ActivityFailure.class, () -> prepare(spec, models));
    ApplicationFailure a = assertInstanceOf(ApplicationFailure.class, f.getCause());
    assertTrue(a.isNonRetryable(), a.getOriginalMessage());
    return a;
  }

  ApplicationFailure badInput(RunSpec spec) {
    ApplicationFailure a = failure(spec, new ScriptedModels());
    assertEquals(ActivityFailures.BAD_INPUT, a.getType(), a.getOriginalMessage());
    return a;
  }

  @Test
  void theBenchmarkFileIsCopiedIntoTheStoreOrItsBadRowNamed() throws IOException {
    Path longen = tmp.resolve("longen.jsonl");
    java.nio.file.Files.write(longen, List.of(
        "{\"type\": \"below\", \"constraint\": \"少于两千字\", \"query\": \"写一篇文章\"}",
        "{\"type\": \"range\", \"constraint\": \"2000至3000字\", \"query\": \"写一个故事\"}"));
    RunSpec evaluating = spec()
        .setEvaluation(selflengthen.v1.Evaluation.newBuilder().setDataset(longen.toString()).setFormat("longen"))
        .build();
    prepare(evaluating, new ScriptedModels());
    DataStore store = DataStore.open(root);
    List<JsonNode> rows = store.readJsonl(RunPaths.evalDataset("prep"));
    assertEquals(List.of("写一篇文章", "写一个故事"), rows.stream().map(r -> r.get("query").asText()).toList());
    assertTrue(store.isComplete(RunPaths.evalDataset("prep")));

    java.nio.file.Files.write(longen, List.of("{\"type\": \"range\", \"constraint\": \"many words\", \"query\": \"q\"}"));
    String message = badInput(evaluating.toBuilder().setRunId("prep-bad").build()).getOriginalMessage();
    assertTrue(message.contains("evaluation.dataset: " + longen + " line 1: field 'constraint'"), message);
  }

  @Test
  void writesTheSpecTheHeldOutSetAndTheStartingPool() throws IOException {
    ScriptedModels models = new ScriptedModels();
    PreparedRun p = prepare(spec().build(), models);
    DataStore store = DataStore.open(root);
    assertEquals(p.getSpec(), store.readSpec("prep"));
    assertEquals(RunPaths.specFile("prep"), p.getSpecPath());
    assertEquals(0.7f, p.getSpec().getSampling().getTemperature(), "defaults filled in");

    List<JsonNode> held = store.readJsonl(p.getHeldOut().getPath());
    List<JsonNode> pool = store.readJsonl(p.getSeedPool().getPath());
    assertEquals(TestRuns.SEEDS.subList(0, 3), held.stream().map(r -> r.get("instruction").asText()).toList());
    // The measurement does not eat the seeds: the pool keeps all of them (hold_out_seeds is off).
    assertEquals(TestRuns.SEEDS, pool.stream().map(r -> r.get("instruction").asText()).toList());
    assertEquals(10, p.getSeedPool().getCount());
    assertEquals(store.sha256(p.getSeedPool().getPath()), p.getSeedPool().getSha256());
    var entry = store.manifest("prep").latest(p.getSeedPool().getPath()).orElseThrow();
    assertEquals(Checksums.sha256(seeds), entry.inputs().get(0).sha256(), "lineage names the seed file");

    assertEquals(1, p.getState().getNextRound());
    assertEquals(0, p.getState().getRoundsCount());
    assertTrue(!p.getState().hasSeedHeldOutLengths());
    assertEquals(List.of("models.generator", "models.extender", "models.judge"), models.checked);
  }

  @Test
  void aResumedRunKeepsThePoolItsRoundsUsed() throws IOException {
    PreparedRun first = prepare(spec().build(), new ScriptedModels());
    Files.writeString(seeds, "{\"instruction\": \"A different seed set entirely, long enough to use.\"}\n"
        + Files.readString(seeds));
    PreparedRun again = prepare(spec().build(), new ScriptedModels());
    assertEquals(first.getSeedPool(), again.getSeedPool());
    assertEquals(first.getHeldOut(), again.getHeldOut());
  }

  @Test
  void anInvalidSpecFailsWithSpecValidationNamingTheField() {
    ApplicationFailure a = failure(spec().setRounds(0).build(), new ScriptedModels());
    assertEquals(ActivityFailures.SPEC_VALIDATION, a.getType());
    assertTrue(a.getOriginalMessage().contains("rounds: must be at least 1"), a.getOriginalMessage());
  }

  @Test
  void anEmptySeedFileIsBadInputNamingTheFile() throws IOException {
    Files.writeString(seeds, "\n");
    String m = badInput(spec().build()).getOriginalMessage();
    assertTrue(m.contains("self_instruct.seed_file") && m.contains(seeds.toString()) && m.contains("no instructions"), m);
  }

  @Test
  void aMissingSeedFileIsBadInputNamingTheFile() {
    Path missing = tmp.resolve("nowhere.jsonl");
    RunSpec.Builder b = spec();
    b.getSelfInstructBuilder().setSeedFile(missing.toString());
    String m = badInput(b.build()).getOriginalMessage();
    assertTrue(m.contains("self_instruct.seed_file") && m.contains("file not found: " + missing), m);
  }

  @Test
  void aModelDirectoryWithoutConfigIsBadInput() throws IOException {
    Files.delete(model.resolve("config.json"));
    String m = badInput(spec().build()).getOriginalMessage();
    assertTrue(m.contains("models.base_model") && m.contains("no config.json in " + model), m);
  }

  @Test
  void aModelDirectoryWithoutTokenizerIsBadInput() throws IOException {
    Files.delete(model.resolve("tokenizer.json"));
    String m = badInput(spec().build()).getOriginalMessage();
    assertTrue(m.contains("models.base_model") && m.contains("no tokenizer.json in " + model), m);
  }

  @Test
  void aModelDirectoryTheEngineCannotReadIsBadInput() {
    // config.json without the fields of a decoder: the pool's check reads it without the weights.
    ApplicationFailure a = failure(spec().build(), new ModelPool());
    assertEquals(ActivityFailures.BAD_INPUT, a.getType());
    assertTrue(a.getOriginalMessage().contains("models.generator") && a.getOriginalMessage().contains("does not read as a checkpoint"),
        a.getOriginalMessage());
  }

  @Test
  void anEndpointWhoseKeyIsMissingOnTheWorkerIsBadInputAtPrepare() {
    RunSpec.Builder b = spec();
    b.getModelsBuilder().setJudge(ModelRef.newBuilder().setEndpoint("http://127.0.0.1:9/v1").setModelName("judge")
        .setApiKeyEnv("JUDGE_KEY"));
    b.getModelsBuilder().setGenerator(ModelRef.newBuilder().setPath(model.toString()));
    ModelPool pool = new ModelPool(selflengthen.model.config.EngineOptions.defaults(), name -> null);
    ScriptedModels scripted = new ScriptedModels();
    // The pool judges the endpoint; the scripted double passes the (unreadable) test checkpoint.
    ModelProvider poolThatReads = new ModelProvider() {
      @Override
      public selflengthen.model.api.LanguageModel model(ModelRef ref, int maxBatchSize) {
        return scripted.model(ref, maxBatchSize);
      }

      @Override
      public void check(String field, ModelRef ref) {
        if (ref.getEndpoint().isEmpty()) {
          scripted.check(field, ref);
        } else {
          pool.check(field, ref);
        }
      }
    };
    ApplicationFailure a = failure(b.build(), poolThatReads);
    assertEquals(ActivityFailures.BAD_INPUT, a.getType());
    assertTrue(a.getOriginalMessage().contains("models.judge.api_key_env")
        && a.getOriginalMessage().contains("JUDGE_KEY"), a.getOriginalMessage());
  }

  @Test
  void aDataRootThatCannotBeCreatedIsBadInput() throws IOException {
    Path file = Files.writeString(tmp.resolve("plain-file"), "x");
    String m = badInput(TestRuns.spec("prep", file.resolve("data"), seeds, model).build()).getOriginalMessage();
    assertTrue(m.contains("data_root") && m.contains(file.resolve("data").toString()), m);
  }

  @Test
  void aPromptOverrideWithoutItsPlaceholdersIsBadInput() {
    String m = badInput(spec().putPromptOverrides("extend_whole", "Expand this: {text}").build()).getOriginalMessage();
    assertTrue(m.contains("prompt_overrides") && m.contains("extend_whole") && m.contains("{instruction}"), m);
  }

  @Test
  void fewShotMustMatchTheExamplesTheSelfInstructPromptTakes() {
    RunSpec.Builder three = spec();
    three.getSelfInstructBuilder().setFewShot(3);
    String m = badInput(three.build()).getOriginalMessage();
    assertTrue(m.contains("self_instruct.few_shot") && m.contains("takes 2 examples") && m.contains("few_shot is 3"), m);

    three.putPromptOverrides("self_instruct", "Like these: {example1} / {example2} / {example3}. Another:");
    assertEquals(3, prepare(three.build(), new ScriptedModels()).getSpec().getSelfInstruct().getFewShot());
  }

  @Test
  void everyBadInputIsNamedAtOnce() throws IOException {
    Files.writeString(seeds, "");
    Files.delete(model.resolve("tokenizer.json"));
    String m = badInput(spec().putPromptOverrides("respond", "{nothing}").putPromptOverrides("judge_instruction", "Is it long?")
        .build()).getOriginalMessage();
    assertTrue(m.contains("self_instruct.seed_file") && m.contains("tokenizer.json") && m.contains("judge_instruction"), m);
  }

  @Test
  void aSpecWithoutDataRootUsesTheWorkersRootAndABadSpecCreatesNone() {
    Path workerRoot = tmp.resolve("worker-root");
    DataStore workerStore = DataStore.open(workerRoot);
    RunSpec noRoot = spec().clearDataRoot().build();
    PreparedRun prepared;
    try (ActivityHarness h = new ActivityHarness(new ControlActivitiesImpl(new DataRoots(workerStore), new ScriptedModels()))) {
      prepared = h.stub(ControlActivities.class).prepareRun(noRoot);
    }
    assertEquals(workerRoot.toAbsolutePath().normalize().toString(), prepared.getSpec().getDataRoot());
    assertTrue(java.nio.file.Files.exists(workerRoot.resolve("runs/prep/spec.json")));

    Path never = tmp.resolve("never-made");
    ApplicationFailure a = badInput(spec().setDataRoot(never.toString())
        .setSelfInstruct(selflengthen.v1.SelfInstruct.newBuilder().setSeedFile(tmp.toString())).build());
    assertTrue(a.getOriginalMessage().contains("self_instruct.seed_file: " + tmp + " is a directory, not a file"),
        a.getOriginalMessage());
    assertTrue(!java.nio.file.Files.exists(never), "a spec that cannot start creates no data root");
  }
}
