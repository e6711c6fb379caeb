package selflengthen.activities.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.failure.ActivityFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.CallIds;
import selflengthen.activities.Roles;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.TrainActivities;
import selflengthen.activities.support.DataRoots;
import selflengthen.activities.testing.ActivityHarness;
import selflengthen.activities.testing.TestRuns;
import selflengthen.method.SftRows;
import selflengthen.model.ModelFactory;
import selflengthen.model.train.SftTrainer;
import selflengthen.model.api.SftExample;
import selflengthen.model.external.ExternalTrainer;
import selflengthen.model.external.ExternalTrainerConfig;
import selflengthen.store.Checksums;
import selflengthen.store.DataStore;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.ModelRef;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageContext;
import selflengthen.v1.TrainTask;
import selflengthen.v1.TrainingResult;

/**
 * The train activity with training.external_command: a real child process (a bash script that runs
 * this project's own trainer through its LLaMA-Factory interface) on a tiny model. The first
 * attempt is killed after a checkpoint; the next attempt resumes from it. The role is served by an
 * endpoint, which training must accept (it trains the run's base model).
 */
@Tag("integration")
class ExternalTrainingActivityTest {
  static final String RUN = "ext";

  @TempDir Path tmp;

  @Test
  void aKilledCommandFailsTheAttemptAndTheRetryResumesFromItsCheckpoint() throws Exception {
    Path model = tmp.resolve("tiny");
    ModelFactory.init("tiny", model, 7L, null);
    Path root = tmp.resolve("data");
    RunSpec.Builder b = TestRuns.spec(RUN, root, TestRuns.seedFile(tmp, TestRuns.SEEDS), model);
    Path script = Path.of(getClass().getResource("selflengthen-train.sh").toURI());
    b.getTrainingBuilder().setExternalCommand("bash '" + script + "' train {config}")
        .setEpochs(2).setBatchSize(1).setGradientAccumulation(1).setCheckpointEvery(3).setCutoffLen(96);
    // The generator is served over HTTP: training uses models.base_model, the endpoint's checkpoint.
    b.getModelsBuilder().setGenerator(ModelRef.newBuilder().setEndpoint("http://127.0.0.1:9/v1").setModelName("tiny"));
    RunSpec spec = TestRuns.resolved(b);
    assertTrue(spec.getModels().getGenerator().getPath().isEmpty());
    DataStore store = DataStore.open(root);
    String setPath = RunPaths.trainingSet(RUN, 1, Roles.GENERATOR);
    List<SftExample> examples = IntStream.range(0, 20)
        .mapToObj(i -> new SftExample("Write about river " + i + ".", "",
            ("The river number " + i + " runs past the stone mill and the old bridge. ").repeat(2)))
        .toList();
    SftRows.writeLlamaFactoryJson(store.resolve(setPath), examples);
    String out = RunPaths.adapterDir(RUN, 1, Roles.GENERATOR);
    TrainTask task = TrainTask.newBuilder()
        .setContext(StageContext.newBuilder().setSpec(spec).setRound(1).setStage(Stages.TRAIN_GENERATOR)
            .setCallId(CallIds.stage(RUN, 1, Stages.TRAIN_GENERATOR)))
        .setRole(Roles.GENERATOR)
        .setTrainingSet(DatasetRef.newBuilder().setPath(setPath).setCount(20).setSha256(store.sha256(setPath)))
        .setOutputDir(out).setSeed(5).build();

    Map<String, String> env = Map.of(
        "SELFLENGTHEN_JAVA", ProcessHandle.current().info().command().orElse("java"),
        "SELFLENGTHEN_CLASSPATH", System.getProperty("java.class.path"),
        "SELFLENGTHEN_PID_FILE", tmp.resolve("trainer.pid").toString());
    TrainActivitiesImpl activity = new TrainActivitiesImpl(new DataRoots(store), SftTrainer::new,
        command -> new ExternalTrainer(ExternalTrainerConfig.of(command).withEnvironment(env)));
    Path work = store.resolve(out).resolveSibling("checkpoints");
    Path trainerOutput = work.resolve("output");
    List<TrainActivitiesImpl.Progress> beats = Collections.synchronizedList(new ArrayList<>());
    try (ActivityHarness h = new ActivityHarness(activity)) {
      h.env.setActivityHeartbeatListener(TrainActivitiesImpl.Progress.class, beats::add);
      // 1 s: heartbeats reach the listener every 0.8 s (SDK throttling), several per attempt.
      TrainActivities stub = h.stub(TrainActivities.class, Duration.ofSeconds(1));

      CompletableFuture<TrainingResult> first = CompletableFuture.supplyAsync(() -> stub.train(task));
      ProcessHandle trainer = awaitCheckpointThenFindTrainer(trainerOutput, tmp.resolve("trainer.pid"), first);
      trainer.destroyForcibly(); // SIGKILL: no chance to tidy up
      ActivityFailure failure = assertThrows(ActivityFailure.class, () -> unwrap(first));
      assertTrue(String.valueOf(failure.getCause().getMessage()).contains("exited with code"), failure.toString());
      assertFalse(store.exists(out + "/adapter_model.safetensors"));

      // The files of LLaMA-Factory's interface, under the round's train directory.
      assertTrue(Files.isRegularFile(work.resolve("job/train.yaml")));
      assertTrue(Files.isRegularFile(work.resolve("job/data/dataset_info.json")));
      assertTrue(Files.isRegularFile(work.resolve("job/data/selflengthen_sft.json")));
      assertTrue(Files.readString(work.resolve("job/train.yaml")).contains("model_name_or_path: " + model));

      TrainingResult result = stub.train(task); // the retry: a new attempt of the same task
      String yaml = Files.readString(work.resolve("job/train.yaml"));
      assertTrue(yaml.contains("resume_from_checkpoint: " + trainerOutput.resolve("checkpoint-")), yaml);
      String log = Files.readString(work.resolve("job/train.log"));
      assertEquals(2, log.split("=== ", -1).length - 1, "two runs of the command in the log:\n" + log);
      String retry = log.substring(log.lastIndexOf("=== "));
      assertTrue(retry.contains("resuming from " + trainerOutput.resolve("checkpoint-")), log);
      assertFalse(retry.contains("'step': 1}"), "the retry does not start over:\n" + retry);
      assertTrue(retry.contains("'step': 40}"), retry);

      assertEquals(40, result.getSteps(), "20 examples x 2 epochs, counted across both attempts");
      assertEquals(20, result.getExamples());
      assertTrue(result.getFinalLoss() > 0 && result.getFirstLoss() > 0, result.toString());
      assertEquals(out, result.getAdapter().getPath());
      assertEquals(Checksums.sha256(store.resolve(out + "/adapter_model.safetensors")), result.getAdapter().getSha256());
      assertTrue(store.exists(out + "/adapter_config.json"));
      assertTrue(store.manifest(RUN).latest(out).isPresent(), "the adapter is in the manifest");

      assertTrue(beats.stream().anyMatch(p -> p.step() > 0 && p.loss() > 0), "steps reach the heartbeats");
      assertTrue(beats.stream().anyMatch(p -> p.output() != null && !p.output().isBlank()),
          "log lines reach the heartbeats");

      assertEquals(result, stub.train(task), "a recorded adapter returns at once");
    }
  }

  /** Waits until the command has written a complete checkpoint and returns its JVM. */
  private static ProcessHandle awaitCheckpointThenFindTrainer(Path output, Path pidFile, CompletableFuture<?> attempt)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      assertFalse(attempt.isDone(), "the first attempt ended before a checkpoint could be killed");
      boolean checkpointed;
      try (var dirs = Files.list(output)) {
        checkpointed = dirs.anyMatch(d -> d.getFileName().toString().startsWith("checkpoint-")
            && Files.isRegularFile(d.resolve("trainer_state.json")));
      } catch (java.nio.file.NoSuchFileException notYet) {
        checkpointed = false;
      }
      if (checkpointed) {
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        return ProcessHandle.current().descendants().filter(p -> p.pid() == pid)
            .findFirst().orElseThrow(() -> new AssertionError("the trainer " + pid + " is not our child"));
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no checkpoint within 60 s");
  }

  private static <T> T unwrap(CompletableFuture<T> f) throws Throwable {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause();
    }
  }
}
