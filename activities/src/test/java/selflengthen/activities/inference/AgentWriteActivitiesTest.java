package selflengthen.activities.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ActivityFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.AgentWriteActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.Stages;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.LanguageProfile;
import selflengthen.method.agentwrite.PlanParser;
import selflengthen.store.DataStore;
import selflengthen.v1.GenerationMode;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;

/** AgentWrite shards: plan then paragraphs, each in the store, a retry continuing after the last. */
class AgentWriteActivitiesTest {
  @TempDir Path tmp;
  Path seeds;
  Path model;

  @BeforeEach
  void files() {
    seeds = TestRuns.seedFile(tmp, TestRuns.SEEDS);
    model = TestRuns.modelDir(tmp);
  }

  RunSpec spec(Path root) {
    RunSpec.Builder b = TestRuns.spec(InferenceActivitiesTest.RUN, root, seeds, model);
    b.getModelsBuilder().setMaxBatchSize(2);
    b.getGenerationBuilder().setMode(GenerationMode.GENERATION_MODE_AGENTWRITE);
    return TestRuns.resolved(b);
  }

  ShardTask task(RunSpec spec, DataStore store) {
    return InferenceActivitiesTest.task(spec, 1, Stages.RESPOND, InferenceActivitiesTest.instructions(store), 0, 1, 3,
        Roles.GENERATOR);
  }

  @Test
  void eachAnswerIsItsPlansParagraphsWithPlanAndParagraphsInTheStore() {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root);
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    try (ActivityHarness h = new ActivityHarness(new AgentWriteActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = task(spec, store);
      ShardSummary s = h.stub(AgentWriteActivities.class).agentWriteShard(task);
      List<JsonNode> rows = store.readJsonl(task.getOutputPath());
      assertEquals(6, rows.size(), "rows 1-3, 2 answers each");
      assertEquals(6, s.getSamplesOut());
      int calls = 0;
      for (JsonNode r : rows) {
        String dir = r.get("dir").asText();
        assertTrue(dir.endsWith(String.format("/agentwrite/row-%06d-%d", r.get("row").asLong(), r.get("sample").asInt())), dir);
        var plan = PlanParser.parse(store.readString(dir + "/plan.txt"));
        assertTrue(plan.steps().size() >= 2 && plan.steps().size() <= 4, plan.toString());
        assertEquals(plan.steps().size(), r.get("paragraphs").asInt());
        assertEquals(plan.totalWords(), r.get("planned_words").asInt());
        assertTrue(r.get("complete").asBoolean());
        List<String> paragraphs = new ArrayList<>();
        for (int i = 0; i < plan.steps().size(); i++) {
          paragraphs.add(store.readString(String.format("%s/paragraph-%03d.txt", dir, i)));
        }
        assertEquals(String.join("\n\n", paragraphs), r.get("response").asText());
        assertEquals(LanguageProfile.EN.countWords(r.get("response").asText()), r.get("words").asInt());
        assertEquals(1 + plan.steps().size(), r.get("tries").asInt(), "one plan call, one call a paragraph");
        calls += r.get("tries").asInt();
      }
      assertEquals(calls, models.model.calls.get());
      // Each paragraph prompt carries the plan and the text so far.
      long withText = models.model.requests.stream()
          .filter(q -> q.prompt().contains("Text written so far:") && !q.prompt().contains("(nothing yet)")).count();
      assertEquals(calls - 6 - 6, withText, "every paragraph after the first sees the text before it");
      assertTrue(store.manifest(InferenceActivitiesTest.RUN).latest(task.getOutputPath()).isPresent());
    }
  }

  @Test
  void aRetryContinuesAfterTheLastParagraphWrittenAndGivesTheSameText() throws IOException {
    Path fresh = tmp.resolve("fresh");
    DataStore freshStore = DataStore.open(fresh);
    ScriptedModels freshModels = new ScriptedModels();
    byte[] expected;
    ShardTask freshTask = task(spec(fresh), freshStore);
    try (ActivityHarness h = new ActivityHarness(new AgentWriteActivitiesImpl(new DataRoots(freshStore), freshModels))) {
      h.stub(AgentWriteActivities.class).agentWriteShard(freshTask);
      expected = Files.readAllBytes(freshStore.resolve(freshTask.getOutputPath()));
    }
    int total = freshModels.model.calls.get();

    Path root = tmp.resolve("data");
    DataStore store = DataStore.open(root);
    ScriptedModels models = new ScriptedModels();
    models.model.failAfter(total / 2);
    try (ActivityHarness h = new ActivityHarness(new AgentWriteActivitiesImpl(new DataRoots(store), models))) {
      ShardTask task = task(spec(root), store);
      assertThrows(ActivityFailure.class, () -> h.stub(AgentWriteActivities.class).agentWriteShard(task));
      int before = models.model.calls.get();
      h.stub(AgentWriteActivities.class).agentWriteShard(task);
      int retry = models.model.calls.get() - before;
      assertArrayEquals(expected, Files.readAllBytes(store.resolve(task.getOutputPath())));
      // At most the 2 calls in flight when the engine died (batch 2) are lost and made again.
      assertTrue(retry < total && retry <= total - (before - 1) + 2,
          "the retry makes only the calls whose answers are not in the store: " + retry + " of " + total
              + " after " + (before - 1) + " answered");
    }
  }
}
