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
  void endpointsAndUnreadableCheckpointsAreBadInput() {
    try (ModelPool pool = new ModelPool()) {
      ApplicationFailure e = assertThrows(ApplicationFailure.class,
          () -> pool.model(ModelRef.newBuilder().setEndpoint("http://127.0.0.1:9/v1").setModelName("m").build(), 4));
      assertEquals(ActivityFailures.BAD_INPUT, e.getType());
      assertTrue(e.getOriginalMessage().contains("endpoint models need the OpenAI backend"));

      Path notModel = TestRuns.modelDir(tmp);
      ApplicationFailure load = assertThrows(ApplicationFailure.class,
          () -> pool.model(ModelRef.newBuilder().setPath(notModel.toString()).build(), 4));
      assertEquals(ActivityFailures.BAD_INPUT, load.getType());
      assertTrue(load.getOriginalMessage().contains("cannot load model " + notModel), load.getOriginalMessage());
      assertEquals(0, pool.loaded(), "a failed load is forgotten");
    }
  }
}
