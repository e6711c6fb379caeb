package selflengthen.activities.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.ActivityFailures;
import selflengthen.activities.CallIds;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.TrainActivities;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.SftRows;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingJob;
import selflengthen.store.Checksums;
import selflengthen.store.DataStore;
import selflengthen.v1.AdapterRef;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageContext;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/** The train activity with the scripted trainer: job, heartbeats, adapter record, resume. */
class TrainActivitiesTest {
  static final String RUN = "tr";

  @TempDir Path tmp;

  @Test
  void trainsFromThePreviousAdapterRecordsTheAdapterAndReturnsItAgainAtOnce() throws IOException {
    Path root = tmp.resolve("data");
    Path model = TestRuns.modelDir(tmp);
    RunSpec spec = TestRuns.resolved(TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), model));
    DataStore store = DataStore.open(root);
    String setPath = RunPaths.trainingSet(RUN, 2, Roles.GENERATOR);
    List<SftExample> examples = List.of(
        new SftExample("q1", "", "a long answer one."), new SftExample("q2", "", "a long answer two."),
        new SftExample("q3", "", "a long answer three."));
    SftRows.writeLlamaFactoryJson(store.resolve(setPath), examples);
    DatasetRef set = DatasetRef.newBuilder().setPath(setPath).setCount(3).setSha256(store.sha256(setPath)).build();
    String previousDir = RunPaths.adapterDir(RUN, 1, Roles.GENERATOR);
    Files.createDirectories(store.resolve(previousDir));
    AdapterRef previous = AdapterRef.newBuilder().setPath(previousDir).setRole(Roles.GENERATOR).setRound(1).setSha256("p").build();
    String out = RunPaths.adapterDir(RUN, 2, Roles.GENERATOR);
    TrainTask task = TrainTask.newBuilder()
        .setContext(StageContext.newBuilder().setSpec(spec).setRound(2).setStage(Stages.TRAIN_GENERATOR)
            .setCallId(CallIds.stage(RUN, 2, Stages.TRAIN_GENERATOR)))
        .setRole(Roles.GENERATOR).setTrainingSet(set).setPrevious(previous).setOutputDir(out).setSeed(99).build();

    ScriptedTrainer trainer = new ScriptedTrainer();
    List<TrainActivitiesImpl.Progress> beats = Collections.synchronizedList(new ArrayList<>());
    try (ActivityHarness h = new ActivityHarness(new TrainActivitiesImpl(new DataRoots(store), () -> trainer))) {
      h.env.setActivityHeartbeatListener(TrainActivitiesImpl.Progress.class, beats::add);
      TrainingResult r = h.stub(TrainActivities.class, Duration.ofSeconds(30)).train(task);

      TrainingJob job = trainer.jobs.get(0);
      assertEquals(model, job.baseModel());
      assertEquals(store.resolve(previousDir), job.initAdapter());
      assertEquals(store.resolve(out), job.outputDir());
      assertEquals(store.resolve(out).resolveSibling("checkpoints"), job.checkpointDir());
      assertEquals(examples, job.examples());
      assertEquals(99, job.config().seed());
      assertEquals(4, job.config().loraRank());
      assertEquals(1e-4f, job.config().learningRate());
      assertEquals("cosine", job.config().lrScheduler());

      assertTrue(!beats.isEmpty(), "heartbeats carry the trainer's steps");
      assertEquals(1, beats.get(0).step());
      assertEquals(2.0, beats.get(0).loss());
      assertEquals(Stages.TRAIN_GENERATOR, beats.get(0).stage(), "a watcher tells the two trainings apart");

      assertEquals(Checksums.sha256(store.resolve(out + "/adapter_model.safetensors")), r.getAdapter().getSha256());
      assertEquals(out, r.getAdapter().getPath());
      assertEquals(2, r.getAdapter().getRound());
      assertEquals(3, r.getSteps());
      assertEquals(3, r.getExamples());
      assertEquals(2.0 / 3, r.getFinalLoss(), 1e-9);
      var entry = store.manifest(RUN).latest(out).orElseThrow();
      assertEquals(store.sha256(out), entry.sha256(), "the manifest checksums the whole adapter directory");
      assertEquals(List.of(setPath, previousDir), entry.inputs().stream().map(i -> i.path()).toList());

      assertEquals(r, h.stub(TrainActivities.class).train(task));
      assertEquals(1, trainer.jobs.size(), "a recorded adapter is not trained again");
    }
  }

  @Test
  void roundOneStartsFromTheBaseModelAndAnEmptySetIsBadInput() throws IOException {
    Path root = tmp.resolve("data");
    RunSpec spec = TestRuns.resolved(TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), TestRuns.modelDir(tmp)));
    DataStore store = DataStore.open(root);
    String setPath = RunPaths.trainingSet(RUN, 1, Roles.EXTENDER);
    SftRows.writeLlamaFactoryJson(store.resolve(setPath), List.of(new SftExample("q", "", "a.")));
    TrainTask.Builder task = TrainTask.newBuilder()
        .setContext(StageContext.newBuilder().setSpec(spec).setRound(1).setStage(Stages.TRAIN_EXTENDER)
            .setCallId(CallIds.stage(RUN, 1, Stages.TRAIN_EXTENDER)))
        .setRole(Roles.EXTENDER).setTrainingSet(DatasetRef.newBuilder().setPath(setPath))
        .setOutputDir(RunPaths.adapterDir(RUN, 1, Roles.EXTENDER)).setSeed(1);
    ScriptedTrainer trainer = new ScriptedTrainer();
    try (ActivityHarness h = new ActivityHarness(new TrainActivitiesImpl(new DataRoots(store), () -> trainer))) {
      h.stub(TrainActivities.class).train(task.build());
      assertNull(trainer.jobs.get(0).initAdapter());

      SftRows.writeLlamaFactoryJson(store.resolve(RunPaths.trainingSet(RUN, 2, Roles.EXTENDER)), List.of());
      TrainTask empty = task.setTrainingSet(DatasetRef.newBuilder().setPath(RunPaths.trainingSet(RUN, 2, Roles.EXTENDER)))
          .setOutputDir(RunPaths.adapterDir(RUN, 2, Roles.EXTENDER)).build();
      ActivityFailure f = assertThrows(ActivityFailure.class, () -> h.stub(TrainActivities.class).train(empty));
      ApplicationFailure a = assertInstanceOf(ApplicationFailure.class, f.getCause());
      assertEquals(ActivityFailures.BAD_INPUT, a.getType());
      assertTrue(a.getOriginalMessage().contains("holds no examples"), a.getOriginalMessage());
    }
  }
}
