package selflengthen.activities.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.CallIds;
import selflengthen.activities.DpoActivities;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.SftRows;
import selflengthen.method.preference.PreferencePair;
import selflengthen.method.preference.PreferenceWriters;
import selflengthen.model.ModelFactory;
import selflengthen.model.api.SftExample;
import selflengthen.model.external.ExternalTrainer;
import selflengthen.model.external.ExternalTrainerConfig;
import selflengthen.model.train.DpoTrainer;
import selflengthen.model.train.SftTrainer;
import selflengthen.store.DataStore;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.DpoTask;
import selflengthen.v1.PreferenceMethod;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageContext;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/**
 * The DPO activity on a tiny model: after an SFT adapter, in process and through the external
 * command (this project's trainer behind LLaMA-Factory's interface, a {@code stage: dpo} YAML).
 */
@Tag("integration")
class DpoActivitiesTest {
  static final String RUN = "dpo";
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  RunSpec spec(Path model, Path root, String external) {
    RunSpec.Builder b = TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), model);
    b.getTrainingBuilder().setEpochs(1).setBatchSize(2).setGradientAccumulation(1).setCheckpointEvery(2)
        .setCutoffLen(96).setExternalCommand(external).setPreference(PreferenceMethod.PREFERENCE_METHOD_DPO)
        .getDpoBuilder().setLearningRate(5e-3f).setEpochs(2);
    return TestRuns.resolved(b);
  }

  /** A real SFT adapter of round 1 (the train activity, in process). */
  AdapterRef sft(DataStore store, RunSpec spec) throws Exception {
    String setPath = RunPaths.trainingSet(RUN, 1, Roles.GENERATOR);
    List<SftExample> examples = IntStream.range(0, 4)
        .mapToObj(i -> new SftExample("Write about river " + i + ".", "", "The river " + i + " runs past the mill."))
        .toList();
    SftRows.writeLlamaFactoryJson(store.resolve(setPath), examples);
    TrainTask task = TrainTask.newBuilder()
        .setContext(StageContext.newBuilder().setSpec(spec.toBuilder().setTraining(spec.getTraining().toBuilder()
            .setExternalCommand("")).build()).setRound(1).setStage(Stages.TRAIN_GENERATOR)
            .setCallId(CallIds.stage(RUN, 1, Stages.TRAIN_GENERATOR)))
        .setRole(Roles.GENERATOR)
        .setTrainingSet(DatasetRef.newBuilder().setPath(setPath).setCount(4).setSha256(store.sha256(setPath)))
        .setOutputDir(RunPaths.adapterDir(RUN, 1, Roles.GENERATOR)).setSeed(5).build();
    return new TrainActivitiesImpl(new DataRoots(store), SftTrainer::new).train(task).getAdapter();
  }

  DatasetRef pairs(DataStore store) throws Exception {
    String path = "runs/" + RUN + "/round-1/preference/pairs.jsonl";
    List<PreferencePair> pairs = IntStream.range(0, 6)
        .mapToObj(i -> new PreferencePair("extension", i, 0, "Write about river " + i + ".", null,
            "The river " + i + " runs past the mill and on to the old stone bridge by the town.",
            "The river " + i + " runs.", 17, 4))
        .toList();
    Files.createDirectories(store.resolve(path).getParent());
    PreferenceWriters.writePairs(store.resolve(path), pairs);
    return DatasetRef.newBuilder().setPath(path).setCount(6).setSha256(store.sha256(path)).build();
  }

  DpoTask task(RunSpec spec, DatasetRef pairs, AdapterRef sft) {
    return DpoTask.newBuilder()
        .setContext(StageContext.newBuilder().setSpec(spec).setRound(1).setStage("train_dpo")
            .setCallId(CallIds.stage(RUN, 1, "train_dpo")))
        .addPairs(pairs)
        .setSftAdapter(sft)
        .setOutputDir("runs/" + RUN + "/round-1/train_dpo/adapter")
        .setSeed(9)
        .build();
  }

  @Test
  void inProcessDpoContinuesTheSftAdapterAndRaisesTheMargin() throws Exception {
    Path model = tmp.resolve("tiny");
    ModelFactory.init("tiny", model, 7L, null);
    Path root = tmp.resolve("data");
    RunSpec spec = spec(model, root, "");
    DataStore store = DataStore.open(root);
    AdapterRef sft = sft(store, spec);
    DatasetRef pairs = pairs(store);
    DpoTask task = task(spec, pairs, sft);
    try (ActivityHarness h = new ActivityHarness(new DpoActivitiesImpl(new DataRoots(store)))) {
      TrainingResult r = h.stub(DpoActivities.class).trainDpo(task);
      String out = task.getOutputDir();
      assertEquals(6, r.getSteps(), "6 pairs, 2 a step, 2 epochs");
      assertEquals(6, r.getExamples());
      assertEquals(Math.log(2), r.getFirstLoss(), 1e-3, "the policy starts equal to the reference");
      assertTrue(r.getFinalLoss() < r.getFirstLoss(), r.toString());
      assertEquals(store.sha256(out + "/adapter_model.safetensors"), r.getAdapter().getSha256());
      JsonNode config = JSON.readTree(store.readString(out + "/adapter_config.json"));
      JsonNode sftConfig = JSON.readTree(store.readString(sft.getPath() + "/adapter_config.json"));
      assertEquals(sftConfig.get("r"), config.get("r"), "the SFT adapter's rank");
      JsonNode report = JSON.readTree(store.readString("runs/" + RUN + "/round-1/train_dpo/dpo_report.json"));
      assertTrue(report.get("last_margin").asDouble() > report.get("first_margin").asDouble(), report.toString());
      // The policy moved: chosen over rejected gains under the DPO adapter against the SFT one.
      var examples = selflengthen.method.preference.PreferencePairs.toExamples(
          PreferenceWriters.readPairs(store.resolve(pairs.getPath())));
      double[][] before = DpoTrainer.logProbs(model, store.resolve(sft.getPath()), examples, 96);
      double[][] after = DpoTrainer.logProbs(model, store.resolve(out), examples, 96);
      for (int i = 0; i < examples.size(); i++) {
        assertTrue(after[i][0] - after[i][1] > before[i][0] - before[i][1], "pair " + i);
      }
      var entry = store.manifest(RUN).latest(out).orElseThrow();
      assertEquals(List.of(pairs.getPath(), sft.getPath()), entry.inputs().stream().map(x -> x.path()).toList());
      assertEquals(r, h.stub(DpoActivities.class).trainDpo(task), "a recorded adapter returns at once");
    }
  }

  @Test
  void theExternalCommandTrainsAStageDpoConfig() throws Exception {
    Path model = tmp.resolve("tiny");
    ModelFactory.init("tiny", model, 7L, null);
    Path root = tmp.resolve("data");
    Path script = Path.of(TrainActivitiesImpl.class.getResource("selflengthen-train.sh").toURI());
    RunSpec spec = spec(model, root, "bash '" + script + "' train {config}");
    DataStore store = DataStore.open(root);
    AdapterRef sft = sft(store, spec);
    DpoTask task = task(spec, pairs(store), sft);
    Map<String, String> env = Map.of(
        "SELFLENGTHEN_JAVA", ProcessHandle.current().info().command().orElse("java"),
        "SELFLENGTHEN_CLASSPATH", System.getProperty("java.class.path"));
    DpoActivitiesImpl activity = new DpoActivitiesImpl(new DataRoots(store), DpoTrainer::new,
        command -> new ExternalTrainer(ExternalTrainerConfig.of(command).withEnvironment(env)));
    try (ActivityHarness h = new ActivityHarness(activity)) {
      TrainingResult r = h.stub(DpoActivities.class).trainDpo(task);
      Path job = store.resolve(task.getOutputDir()).resolveSibling("checkpoints").resolve("job");
      String yaml = Files.readString(job.resolve("train.yaml"));
      assertTrue(yaml.contains("stage: dpo"), yaml);
      assertTrue(yaml.contains("pref_beta: 0.1"), yaml);
      assertTrue(yaml.contains("ref_model_adapters: " + store.resolve(sft.getPath())), yaml);
      assertEquals(6, r.getSteps());
      assertTrue(store.exists(task.getOutputDir() + "/adapter_model.safetensors"));
    }
  }
}
