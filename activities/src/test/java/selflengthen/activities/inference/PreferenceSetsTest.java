package selflengthen.activities.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.CallIds;
import selflengthen.activities.InferenceActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.preference.PreferenceActivitiesImpl;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.LanguageProfile;
import selflengthen.method.preference.PreferencePair;
import selflengthen.method.preference.PreferenceWriters;
import selflengthen.store.DataStore;
import selflengthen.v1.BuiltPreferenceSets;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.PreferenceSetsTask;
import selflengthen.v1.RejectedSource;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageContext;

/** A round's preference sets from its real extension output, in both formats, with lineage. */
class PreferenceSetsTest {
  static final String RUN = InferenceActivitiesTest.RUN;
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;
  Path seeds;
  Path model;

  @BeforeEach
  void files() {
    seeds = TestRuns.seedFile(tmp, TestRuns.SEEDS);
    model = TestRuns.modelDir(tmp);
  }

  RunSpec spec(Path root, RejectedSource rejected, boolean suri) {
    RunSpec.Builder b = TestRuns.spec(RUN, root, seeds, model);
    b.getTrainingBuilder().setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO);
    b.getPreferenceBuilder().getPairsBuilder().setRejected(rejected).setSuriPairs(suri);
    return TestRuns.resolved(b);
  }

  DatasetRef extend(DataStore store, RunSpec spec) {
    List<Object> kept = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String response = "Part one of answer " + i + " goes here with some words.\n\nPart two of it has more words to say."
          + "\n\nPart three ends the short answer well.";
      kept.add(Map.of("row", i, "sample", 0, "instruction", TestRuns.SEEDS.get(i), "response", response,
          "words", LanguageProfile.EN.countWords(response)));
    }
    DatasetRef input = store.writeJsonl(RunPaths.stageOutput(RUN, 1, Stages.DROP_SHORT), kept);
    try (ActivityHarness h = new ActivityHarness(new InferenceActivitiesImpl(new DataRoots(store), new ScriptedModels()))) {
      var task = InferenceActivitiesTest.task(spec, 1, Stages.EXTEND, input, 0, 0, 3, Roles.EXTENDER);
      h.stub(InferenceActivities.class).extendShard(task);
      var rows = store.readJsonl(task.getOutputPath());
      return DatasetRef.newBuilder().setPath(task.getOutputPath()).setCount(rows.size())
          .setSha256(store.sha256(task.getOutputPath())).build();
    }
  }

  PreferenceSetsTask task(RunSpec spec, DatasetRef extended) {
    return PreferenceSetsTask.newBuilder()
        .setContext(StageContext.newBuilder().setSpec(spec).setRound(1).setStage("preference")
            .setCallId(CallIds.stage(RUN, 1, "preference")))
        .setExtended(extended)
        .setOutputDir("runs/" + RUN + "/round-1/preference")
        .setSeed(5)
        .build();
  }

  @Test
  void theDefaultPairsAreAcceptedOverStartInBothFormatsRecordedWithLineage() throws Exception {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, RejectedSource.REJECTED_SOURCE_START, false);
    DataStore store = DataStore.open(root);
    DatasetRef extended = extend(store, spec);
    List<JsonNode> ext = store.readJsonl(extended.getPath());
    assertTrue(ext.size() >= 2, "the scripted extender grows most attempts: " + ext.size());
    assertFalse(ext.get(0).has("steps"), "without other rejected sources the rows stay as they were");

    PreferenceActivitiesImpl activities = new PreferenceActivitiesImpl(new DataRoots(store));
    BuiltPreferenceSets built = activities.buildPreferenceSets(task(spec, extended));
    List<PreferencePair> pairs = PreferenceWriters.readPairs(store.resolve(built.getPairs().getPath()));
    assertEquals(ext.size(), pairs.size(), "one pair per successful attempt");
    for (int i = 0; i < pairs.size(); i++) {
      PreferencePair p = pairs.get(i);
      assertEquals("extension", p.kind());
      assertEquals(ext.get(i).get("row").asLong(), p.row());
      assertEquals(ext.get(i).get("attempt").asInt(), p.attempt());
      assertEquals(ext.get(i).get("extended").asText(), p.chosen());
      assertEquals(ext.get(i).get("response").asText(), p.rejected());
    }
    // LLaMA-Factory: the ranking entry and the Alpaca rows.
    JsonNode info = JSON.readTree(store.readString(built.getDatasetInfoPath()));
    JsonNode entry = info.get("preference_r1");
    assertTrue(entry.get("ranking").asBoolean());
    assertEquals("preference_r1.json", entry.get("file_name").asText());
    assertEquals("chosen", entry.get("columns").get("chosen").asText());
    JsonNode rows = JSON.readTree(store.readString(built.getLlamaFactory().getPath()));
    assertEquals(pairs.size(), rows.size());
    assertEquals(pairs.get(0).prompt(), rows.get(0).get("instruction").asText());
    assertEquals(pairs.get(0).rejected(), rows.get(0).get("rejected").asText());
    // TRL: prompt / chosen / rejected chat messages.
    JsonNode trl = store.readJsonl(built.getTrl().getPath()).get(0);
    assertEquals("user", trl.get("prompt").get(0).get("role").asText());
    assertEquals(pairs.get(0).chosen(), trl.get("chosen").get(0).get("content").asText());
    // Each file in the manifest, made from the extension output.
    for (String path : List.of(built.getPairs().getPath(), built.getLlamaFactory().getPath(), built.getTrl().getPath())) {
      var e = store.manifest(RUN).latest(path).orElseThrow(() -> new AssertionError(path + " not recorded"));
      assertEquals("preference", e.producer().stage());
      assertEquals(extended.getPath(), e.inputs().get(0).path());
      assertEquals(store.sha256(path), e.sha256());
    }
    // A repeated call returns the recorded result without writing again.
    long modified = Files.getLastModifiedTime(store.resolve(built.getPairs().getPath())).toMillis();
    assertEquals(built, activities.buildPreferenceSets(task(spec, extended)));
    assertEquals(modified, Files.getLastModifiedTime(store.resolve(built.getPairs().getPath())).toMillis());
  }

  @Test
  void checkRejectedAndSuriPairsComeFromTheExtensionsOwnTrace() throws Exception {
    Path root = tmp.resolve("data");
    RunSpec spec = spec(root, RejectedSource.REJECTED_SOURCE_CHECK_REJECTED, true);
    DataStore store = DataStore.open(root);
    DatasetRef extended = extend(store, spec);
    List<JsonNode> ext = store.readJsonl(extended.getPath());
    long refused = ext.stream().filter(r -> r.has("check_rejected")).count();
    assertTrue(refused > 0, "the scripted extender's unpunctuated candidates fail the check: " + ext);

    BuiltPreferenceSets built = new PreferenceActivitiesImpl(new DataRoots(store)).buildPreferenceSets(task(spec, extended));
    List<PreferencePair> pairs = PreferenceWriters.readPairs(store.resolve(built.getPairs().getPath()));
    List<PreferencePair> rejected = pairs.stream().filter(p -> p.kind().equals("check_rejected")).toList();
    assertFalse(rejected.isEmpty(), pairs.toString());
    for (PreferencePair p : rejected) {
      JsonNode row = ext.stream().filter(r -> r.get("row").asLong() == p.row() && r.get("attempt").asInt() == p.attempt())
          .findFirst().orElseThrow();
      List<String> refusedTexts = new ArrayList<>();
      row.get("check_rejected").forEach(n -> refusedTexts.add(n.asText()));
      assertTrue(refusedTexts.contains(p.rejected()), "the rejected side is one of the attempt's refused candidates");
    }
    List<PreferencePair> suri = pairs.stream().filter(p -> p.kind().equals("corrupted_instruction")).toList();
    assertEquals(ext.size(), suri.size(), "every instruction names a length or swaps: one Suri pair each");
    assertTrue(suri.stream().allMatch(p -> p.promptDiffers() && p.chosen().equals(p.rejected())));
    assertEquals(pairs.size() - suri.size(), built.getLlamaFactory().getCount(),
        "the one-prompt LLaMA-Factory set leaves the two-prompt pairs out");
    assertEquals(pairs.size(), built.getTrl().getCount());
  }
}
