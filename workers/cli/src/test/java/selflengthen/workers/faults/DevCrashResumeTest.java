package selflengthen.workers.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.WorkflowStub;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.store.DataStore;
import selflengthen.store.Layout;
import selflengthen.store.ManifestEntry;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardSummary;
import selflengthen.workers.cli.Main;
import selflengthen.workers.TemporalConnection;
import selflengthen.workflows.SelfLengthenRun;

/**
 * Issue 7's whole-process crash: {@code selflengthen dev} (in-memory server and every worker in one
 * JVM) is killed with SIGKILL in the middle of a stage, after some of its shards were committed;
 * all workflow state is gone with it. A new {@code dev} and {@code selflengthen resume RUN} finish
 * the run from the data store. No committed sample is made again: every artifact the manifest
 * recorded before the kill keeps its one record and its bytes, no model call of a finished shard is
 * repeated, and each shard cut short continues after its committed rows.
 *
 * <p>Kill point, by hand: {@code -Dselflengthen.faults.devKillStage=STAGE} (self_instruct, respond,
 * extend; default respond) and {@code -Dselflengthen.faults.devKillAfterShards=N} (finished shards
 * of that stage before the kill; default 3).
 */
@Tag("integration")
class DevCrashResumeTest {
  static final String RUN = "crash";
  static final String KILL_STAGE = System.getProperty("selflengthen.faults.devKillStage", Stages.RESPOND);
  static final int KILL_AFTER_SHARDS = Integer.getInteger("selflengthen.faults.devKillAfterShards", 3);
  static final Pattern ADDRESS = Pattern.compile("Temporal \\(in memory\\) at (127\\.0\\.0\\.1:\\d+)");

  @TempDir Path tmp;

  private final List<ChildJvm> jvms = new ArrayList<>();
  private Path logs;
  private Path root;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void resumeAfterTheDevProcessDiesRedoesNoCommittedSample() throws Exception {
    long t0 = System.nanoTime();
    logs = Files.createDirectories(tmp.resolve("logs"));
    root = tmp.resolve("data");
    RunSpec spec = FaultRuns.spec(RUN, root, tmp);
    Path specFile = FaultRuns.writeSpec(spec, tmp.resolve("spec.json"));
    try {
      ChildJvm dev = dev("dev-1");
      String address = dev.awaitOutput(ADDRESS, Duration.ofSeconds(90)).group(1);
      assertEquals(0, Main.commandLine().execute("start", "--address", address, "--spec", specFile.toString()));
      DataStore store = DataStore.open(root);
      awaitFinishedShards(store, KILL_AFTER_SHARDS, Duration.ofSeconds(120));
      dev.kill();

      // What the store held when the process died.
      Map<String, ManifestEntry> recorded = new TreeMap<>(store.manifest(RUN).latestByPath());
      Map<String, List<String>> partial = new LinkedHashMap<>();
      for (String path : FaultRuns.openedShards(root, RUN, 1, KILL_STAGE)) {
        if (!recorded.containsKey(path)) {
          partial.put(path, FaultRuns.committedLines(root, path));
        }
      }
      assertTrue(!partial.isEmpty(), "no " + KILL_STAGE + " shard was in progress at the kill");
      assertTrue(!recorded.containsKey(RunPaths.stageOutput(RUN, 1, KILL_STAGE)), "killed after the stage ended");

      ChildJvm again = dev("dev-2");
      String address2 = again.awaitOutput(ADDRESS, Duration.ofSeconds(90)).group(1);
      long resumed = System.nanoTime();
      assertEquals(0, Main.commandLine().execute("resume", RUN, "--address", address2, "--data-root", root.toString()));
      RunResult result;
      try (TemporalConnection conn = TemporalConnection.connect(address2, "default", Duration.ofSeconds(10))) {
        result = WorkflowStub.fromTyped(conn.client().newWorkflowStub(SelfLengthenRun.class, RUN))
            .getResult(150, TimeUnit.SECONDS, RunResult.class);
        assertEquals(1, result.getRoundsCount());
      }
      long finished = System.nanoTime();

      // Every artifact recorded before the kill: same bytes, recorded once.
      for (Map.Entry<String, ManifestEntry> e : recorded.entrySet()) {
        String path = e.getKey();
        assertEquals(e.getValue().sha256(), store.manifest(RUN).latest(path).orElseThrow().sha256(), path);
        assertEquals(1, store.manifest(RUN).entries().stream().filter(m -> m.path().equals(path)).count(),
            path + " was recorded again after the resume");
      }
      // No model call of a finished shard was made again (calls of one shard: same seeds).
      List<CallLoggingModels.Call> before = calls("dev-1");
      List<CallLoggingModels.Call> after = calls("dev-2");
      long repeatedOfFinished = after.stream()
          .filter(c -> recorded.containsKey(shardPath(c.callId())) && before.contains(c)).count();
      assertEquals(0, repeatedOfFinished, "model calls of finished shards made again");
      long callsOfFinishedAfter = after.stream().filter(c -> recorded.containsKey(shardPath(c.callId()))).count();
      assertEquals(0, callsOfFinishedAfter, "the resumed run called the model for finished shards");

      // Shards cut short: continued after their committed rows.
      Map<String, Integer> madeTwice = new LinkedHashMap<>();
      for (Map.Entry<String, List<String>> e : partial.entrySet()) {
        ShardSummary s = RecordedResults.completed(store, e.getKey(), ShardSummary.getDefaultInstance()).orElseThrow();
        assertEquals(e.getValue().size(), s.getResumedRows(), e.getKey());
        assertEquals(e.getValue(), FaultRuns.committedLines(root, e.getKey()).subList(0, e.getValue().size()), e.getKey());
        if (KILL_STAGE.equals(Stages.RESPOND)) {
          String callId = callIdOf(e.getKey());
          Set<String> twice = RespondUnits.madeTwice(spec, callId, before, after);
          for (String line : e.getValue()) {
            assertTrue(!twice.contains(RespondUnits.key(line)), e.getKey() + ": committed sample made again: " + line);
          }
          assertTrue(twice.size() <= 1, e.getKey() + ": samples made twice " + twice);
          madeTwice.put(e.getKey(), twice.size());
        }
      }

      FaultRuns.assertSameSamples(RUN, store, FaultRuns.reference(spec, tmp.resolve("reference")));

      // Resuming the finished run changes nothing: report and manifest stay byte for byte.
      assertTrue(!result.getReportFilesList().isEmpty(), "the run wrote a report");
      Map<String, byte[]> finals = new LinkedHashMap<>();
      finals.put(Layout.manifest(RUN), Files.readAllBytes(store.resolve(Layout.manifest(RUN))));
      for (String f : result.getReportFilesList()) {
        finals.put(f, Files.readAllBytes(store.resolve(f)));
      }
      assertEquals(0, Main.commandLine().execute("resume", RUN, "--address", address2, "--data-root", root.toString()));
      try (TemporalConnection conn = TemporalConnection.connect(address2, "default", Duration.ofSeconds(10))) {
        WorkflowStub.fromTyped(conn.client().newWorkflowStub(SelfLengthenRun.class, RUN))
            .getResult(150, TimeUnit.SECONDS, RunResult.class);
      }
      for (Map.Entry<String, byte[]> f : finals.entrySet()) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            f.getValue(), Files.readAllBytes(store.resolve(f.getKey())), f.getKey() + " changed by resuming the finished run");
      }
      long finishedShards = recorded.keySet().stream().filter(p -> p.contains("/shard-")).count();
      System.out.printf(
          "dev crash test: killed in %s with %d shard(s) and %d artifact(s) recorded, %d shard(s) cut short"
              + " with committed rows %s; resumed run %.1f s; committed samples made again 0, model calls of"
              + " finished shards after resume %d, samples made twice per cut shard %s; whole test %.1f s%n",
          KILL_STAGE, finishedShards, recorded.size(), partial.size(),
          partial.values().stream().map(List::size).toList(), (finished - resumed) / 1e9, callsOfFinishedAfter,
          madeTwice.values(), (System.nanoTime() - t0) / 1e9);
    } catch (AssertionError | RuntimeException e) {
      StringBuilder b = new StringBuilder();
      for (ChildJvm j : jvms) {
        b.append(j.logs());
      }
      throw new AssertionError(e.getMessage() + "\n" + b, e);
    } finally {
      for (ChildJvm j : jvms) {
        j.close();
      }
    }
  }

  private ChildJvm dev(String name) {
    ChildJvm j = ChildJvm.start(logs, name,
        List.of("-Xmx256m", "-D" + CallLoggingModels.LOG + "=" + logs.resolve(name + ".calls"),
            "-D" + CallLoggingModels.SLOW_STAGE + "=" + KILL_STAGE,
            "-D" + CallLoggingModels.SLOW_MILLIS + "=" + 150),
        FaultWorkerMain.class,
        "dev", "--port", "0", "--slots", "2", "--grace-seconds", "0", "--data-root", root.toString());
    jvms.add(j);
    return j;
  }

  private List<CallLoggingModels.Call> calls(String name) {
    return CallLoggingModels.read(logs.resolve(name + ".calls"));
  }

  private void awaitFinishedShards(DataStore store, int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, ManifestEntry> latest = store.manifest(RUN).latestByPath();
      long done = 0;
      for (String path : FaultRuns.openedShards(root, RUN, 1, KILL_STAGE)) {
        done += latest.containsKey(path) ? 1 : 0;
      }
      if (done >= n) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "only " + done + " " + KILL_STAGE + " shards finished");
      Thread.sleep(20);
    }
  }

  private static String callIdOf(String shardPath) {
    // runs/<run>/round-<k>/<stage>/shard-<iiiii>.jsonl -> <run>/round-<k>/<stage>/shard-<i>
    String[] p = shardPath.split("/");
    int index = Integer.parseInt(p[4].substring("shard-".length(), p[4].indexOf('.')));
    return p[1] + "/" + p[2] + "/" + p[3] + "/shard-" + index;
  }

  private static String shardPath(String callId) {
    String[] p = callId.split("/");
    if (p.length != 4 || !p[3].startsWith("shard-")) {
      return callId;
    }
    return RunPaths.shardOutput(p[0], Integer.parseInt(p[1].substring("round-".length())), p[2],
        Integer.parseInt(p[3].substring("shard-".length())));
  }
}
