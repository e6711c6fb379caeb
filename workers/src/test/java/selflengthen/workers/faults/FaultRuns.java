package selflengthen.workers.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.testing.ScriptedModels;
import selflengthen.activities.testing.ScriptedTrainer;
import selflengthen.activities.testing.TestRuns;
import selflengthen.payload.Payloads;
import selflengthen.spec.SpecFiles;
import selflengthen.store.DataStore;
import selflengthen.v1.Extension;
import selflengthen.v1.Parallelism;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.registrar.SelfLengthenRegistrar;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/** The small one-round run of the fault tests, and what they check in its store. */
final class FaultRuns {
  /** The stages whose outputs are datasets of samples: (round, stage). */
  record StageOutput(int round, String stage) {}

  static final List<StageOutput> OUTPUTS =
      List.of(
          new StageOutput(0, Stages.MEASURE),
          new StageOutput(1, Stages.SELF_INSTRUCT),
          new StageOutput(1, Stages.RESPOND),
          new StageOutput(1, Stages.DROP_SHORT),
          new StageOutput(1, Stages.EXTEND),
          new StageOutput(1, Stages.DROP_SHORT_EXTENDED),
          new StageOutput(1, Stages.MEASURE));

  private FaultRuns() {}

  /**
   * One round of 24 instructions, answered twice each in shards of 2 instructions, one unit in
   * flight per shard (max_batch_size 1: at most one sample is lost with a killed shard), shards
   * retried 8 s after their worker stops heartbeating. Not less: the SDK sends heartbeats every 0.8
   * of the timeout, so a live worker has only a fifth of it to spare; at 2 s, a JVM of the seven
   * sharing two cores once missed it, its shard ran on a second worker and the test failed.
   */
  static RunSpec spec(String runId, Path dataRoot, Path dir) {
    RunSpec.Builder b = TestRuns.spec(runId, dataRoot, TestRuns.seedFile(dir, TestRuns.SEEDS), TestRuns.modelDir(dir));
    b.setRounds(1);
    b.getModelsBuilder().setMaxBatchSize(1);
    // Batches of 4 requests (2 shards each): 6 chains of self-instruct shards run side by side.
    b.getSelfInstructBuilder().setInstructionsPerRound(24).setMaxTries(8).setBatchSize(4);
    b.setExtension(Extension.newBuilder().setAttempts(1).setMaxTries(2).setMicroIterations(1));
    b.setParallelism(
        Parallelism.newBuilder()
            .setShardSize(2)
            .setMaxConcurrentShards(16)
            .setStragglerFraction(1f)
            .setInferenceHeartbeatSeconds(8));
    return b.build();
  }

  static Path writeSpec(RunSpec spec, Path file) {
    try {
      Files.writeString(file, SpecFiles.toJson(spec));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The same run with no fault: every worker in this JVM on Temporal's in-process test service,
   * the same scripted model and trainer. Returns its data store.
   */
  static DataStore reference(RunSpec spec, Path dataRoot) {
    RunSpec ref = spec.toBuilder().setDataRoot(dataRoot.toString()).build();
    DataStore store = DataStore.open(dataRoot);
    SelfLengthenRegistrar registrar = new SelfLengthenRegistrar(ScriptedModels::new, ScriptedTrainer::new);
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
            .setWorkerFactoryOptions(selflengthen.workers.WorkerHost.factoryOptions())
                .setUseTimeskipping(false)
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder().setDataConverter(Payloads.dataConverter()).build())
                .build());
    try {
      WorkerContext context = new WorkerContext(store, 4, TaskQueues.ALL, "in-memory", "default", env.getWorkflowClient());
      for (String queue : TaskQueues.ALL) {
        registrar.register(queue, env.newWorker(queue), context);
      }
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      SelfLengthenRun run = client.newWorkflowStub(SelfLengthenRun.class,
          WorkflowOptions.newBuilder().setWorkflowId(ref.getRunId()).setTaskQueue(TaskQueues.CONTROL).build());
      WorkflowClient.start(run::run, ref, null);
      WorkflowStub.fromTyped(client.newWorkflowStub(SelfLengthenRun.class, ref.getRunId())).getResult(RunResult.class);
    } finally {
      env.close();
      registrar.close();
    }
    return store;
  }

  /**
   * Every sample exactly once in every stage's output: the faulted run's outputs hold exactly the
   * rows of the fault-free run (same bytes, same order), no unit key twice, and each stage's merged
   * output is its shards' rows.
   */
  static void assertSameSamples(String runId, DataStore faulted, DataStore reference) {
    for (StageOutput o : OUTPUTS) {
      String path = RunPaths.stageOutput(runId, o.round(), o.stage());
      assertTrue(faulted.isComplete(path), path);
      List<JsonNode> rows = faulted.readJsonl(path);
      assertTrue(!rows.isEmpty(), path + " is empty");
      Set<String> keys = new HashSet<>();
      for (JsonNode row : rows) {
        String key = row.path("row").asText() + "/" + row.path("sample").asText() + "/" + row.path("attempt").asText();
        assertTrue(keys.add(key), path + ": sample " + key + " appears twice");
      }
      assertEquals(reference.readString(path), faulted.readString(path), path + " differs from the fault-free run");
      if (!o.stage().startsWith("drop_short")) {
        List<JsonNode> shards = new ArrayList<>();
        for (int i = 0; faulted.exists(RunPaths.shardOutput(runId, o.round(), o.stage(), i)); i++) {
          shards.addAll(faulted.readJsonl(RunPaths.shardOutput(runId, o.round(), o.stage(), i)));
        }
        assertEquals(rows, shards, path + " is not its shards' rows");
      }
    }
  }

  /** Shards of a stage some worker has opened (finished or partial), as store paths. */
  static List<String> openedShards(Path root, String runId, int round, String stage) {
    String dir = RunPaths.stageDir(runId, round, stage);
    if (!Files.isDirectory(root.resolve(dir))) {
      return List.of();
    }
    try (var files = Files.list(root.resolve(dir))) {
      return files.map(f -> f.getFileName().toString())
          .filter(n -> n.startsWith("shard-") && (n.endsWith(".jsonl") || n.endsWith(".jsonl.partial")))
          .map(n -> dir + "/" + n.replace(".partial", ""))
          .distinct().sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The committed (whole JSON) lines of a shard's partial file, or of its finished file. */
  static List<String> committedLines(Path root, String shardPath) {
    Path partial = root.resolve(shardPath + ".partial");
    Path file = Files.exists(partial) ? partial : root.resolve(shardPath);
    try {
      if (!Files.exists(file)) {
        return List.of();
      }
      String text = Files.readString(file);
      List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
      lines.remove(lines.size() - 1); // after the last newline: empty, or a torn line
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
