package selflengthen.activities.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.CallIds;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.inference.InferenceActivitiesImpl;
import selflengthen.activities.rows.PoolRow;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.TestRuns;
import selflengthen.model.ModelFactory;
import selflengthen.store.DataStore;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageContext;

/** The pool with the real DJL engine on a tiny random checkpoint made by `model init`'s code. */
class ModelPoolTest {
  @TempDir Path tmp;

  @Test
  void loadsEachCheckpointOnceAndServesAShardWithTheRealEngine() throws Exception {
    Path model = tmp.resolve("tiny");
    ModelFactory.init("tiny", model, 7L, null);
    Path root = tmp.resolve("data");
    RunSpec.Builder b = TestRuns.spec("real", root, TestRuns.seedFile(tmp, TestRuns.SEEDS), model);
    b.getMeasurementBuilder().getSamplingBuilder().setMaxNewTokens(12);
    RunSpec spec = TestRuns.resolved(b);
    DataStore store = DataStore.open(root);
    DatasetRef heldOut = store.writeJsonl(RunPaths.heldOut("real"),
        TestRuns.SEEDS.subList(0, 3).stream().map(i -> new PoolRow(i, "held_out")).toList());

    try (ModelPool pool = new ModelPool()) {
      pool.check("models.generator", spec.getModels().getGenerator());
      ModelRef ref = spec.getModels().getGenerator();
      assertSame(pool.model(ref, 4), pool.model(ref.toBuilder().setPath(model.resolve(".").toString()).build(), 4),
          "one engine per checkpoint directory");
      assertEquals(1, pool.loaded());

      try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), pool))) {
        ShardTask task = ShardTask.newBuilder()
            .setContext(StageContext.newBuilder().setSpec(spec).setRound(0).setStage(Stages.MEASURE)
                .setCallId(CallIds.shard("real", 0, Stages.MEASURE, 0)))
            .setShard(ShardRef.newBuilder().setInput(heldOut).setIndex(0).setFirstRow(0).setRowCount(3))
            .setOutputPath(RunPaths.shardOutput("real", 0, Stages.MEASURE, 0))
            .setStageOutputPath(RunPaths.stageOutput("real", 0, Stages.MEASURE))
            .setSeed(1).setRole(Roles.GENERATOR).build();
        ShardSummary s = h.stub(InferenceActivities.class).measureShard(task);
        List<JsonNode> rows = store.readJsonl(task.getOutputPath());
        assertEquals(3, rows.size());
        assertEquals(3, s.getSamplesOut());
        assertTrue(rows.stream().allMatch(r -> List.of("stop", "length").contains(r.get("finish").asText())), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> !r.get("response").asText().isEmpty()), "the random model says something");
        assertEquals(1, pool.loaded());
      }
    }
  }

  @Test
  void endpointRefsGetOneSharedClientAndAreCheckedWithoutTheNetwork() throws Exception {
    java.util.Map<String, String> env = java.util.Map.of("ENDPOINT_KEY", "sk-test-4411");
    try (ModelPool pool = new ModelPool(selflengthen.model.config.EngineOptions.defaults(), env::get)) {
      // Port 9 (discard) on loopback: nothing listens, and check/model must not need it.
      ModelRef ref = ModelRef.newBuilder().setEndpoint("http://127.0.0.1:9/v1").setModelName("m")
          .setApiKeyEnv("ENDPOINT_KEY").setMaxConcurrency(3).setTimeoutSeconds(7).build();
      pool.check("models.generator", ref);
      var model = pool.model(ref, 4);
      assertTrue(model instanceof selflengthen.model.openai.OpenAiLanguageModel, model.toString());
      assertSame(model, pool.model(ref, 8), "one client per endpoint and model");
      var config = ((selflengthen.model.openai.OpenAiLanguageModel) model).config();
      assertEquals(3, config.maxConcurrency());
      assertEquals(java.time.Duration.ofSeconds(7), config.requestTimeout());
      assertEquals("m", model.name());
      assertTrue(!config.toString().contains("sk-test-4411"), config.toString());
      assertEquals(0, pool.loaded(), "no engine was loaded in process");

      Path keyFile = tmp.resolve("key");
      java.nio.file.Files.writeString(keyFile, "sk-file\n");
      pool.check("models.judge", ref.toBuilder().clearApiKeyEnv().setApiKeyFile(keyFile.toString()).build());

      for (var bad : List.of(
          java.util.Map.entry(ref.toBuilder().setApiKeyEnv("NOT_SET_ANYWHERE").build(), "models.generator.api_key_env"),
          java.util.Map.entry(ref.toBuilder().clearApiKeyEnv().setApiKeyFile(tmp.resolve("none").toString()).build(),
              "models.generator.api_key_file"),
          java.util.Map.entry(ref.toBuilder().setEndpoint("ftp://127.0.0.1/v1").build(), "models.generator.endpoint"),
          java.util.Map.entry(ref.toBuilder().clearModelName().build(), "models.generator.model_name"),
          java.util.Map.entry(ref.toBuilder().setPath(tmp.resolve("missing").toString()).build(), "models.generator.path"))) {
        ApplicationFailure e = assertThrows(ApplicationFailure.class, () -> pool.check("models.generator", bad.getKey()));
        assertEquals(ActivityFailures.BAD_INPUT, e.getType());
        assertTrue(e.getOriginalMessage().startsWith(bad.getValue()), e.getOriginalMessage());
        assertTrue(!e.getOriginalMessage().contains("sk-"), e.getOriginalMessage());
      }
    }
  }

  @Test
  void unreadableCheckpointsAreBadInput() {
    try (ModelPool pool = new ModelPool()) {
      Path notModel = TestRuns.modelDir(tmp);
      ApplicationFailure load = assertThrows(ApplicationFailure.class,
          () -> pool.model(ModelRef.newBuilder().setPath(notModel.toString()).build(), 4));
      assertEquals(ActivityFailures.BAD_INPUT, load.getType());
      assertTrue(load.getOriginalMessage().contains("cannot load model " + notModel), load.getOriginalMessage());
      assertEquals(0, pool.loaded(), "a failed load is forgotten");
    }
  }
}
