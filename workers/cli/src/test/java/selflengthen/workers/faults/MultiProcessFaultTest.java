package selflengthen.workers.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.activities.CallIds;
import selflengthen.activities.RunPaths;
import selflengthen.activities.Stages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.payload.Payloads;
import selflengthen.store.DataStore;
import selflengthen.store.ManifestEntry;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.workers.cli.Main;
import selflengthen.workers.TemporalConnection;
import selflengthen.workflows.SelfLengthenRun;

/**
 * Issue 7's multi-process fault test, on loopback: the in-memory Temporal server, a control worker,
 * two inference workers and a train worker, each its own JVM started through the real command line.
 * While the respond stage runs, one inference worker is killed with SIGKILL in the middle of a
 * shard and a fresh one is started; later a third one joins. The run must complete with every
 * sample exactly once (the outputs equal those of a fault-free run), the killed shard must continue
 * after its committed rows (at most its one in-flight sample made twice), and the late worker must
 * have completed shards (Temporal's history names the worker of every completed activity).
 *
 * <p>Kill point, by hand: {@code -Dselflengthen.faults.killAfterRows=N} kills the worker once its
 * shard has committed N rows (default 2; a shard has 4).
 */
@Tag("integration")
class MultiProcessFaultTest {
  static final String RUN = "faults";
  static final int KILL_AFTER_ROWS = Integer.getInteger("selflengthen.faults.killAfterRows", 2);
  /** Respond calls are slowed to this, so a shard (4 units) lasts a few seconds. */
  static final long SLOW_MILLIS = 500;
  static final Pattern LISTENING = Pattern.compile("listening on (127\\.0\\.0\\.1:\\d+)");
  static final Pattern POLLING = Pattern.compile("^worker polling ");

  @TempDir Path tmp;

  private final List<ChildJvm> jvms = new ArrayList<>();
  private Path logs;
  private Path root;

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void killedAndAddedInferenceWorkersLoseAndDuplicateNoSample() throws Exception {
    long t0 = System.nanoTime();
    logs = Files.createDirectories(tmp.resolve("logs"));
    root = tmp.resolve("data");
    RunSpec spec = FaultRuns.spec(RUN, root, tmp);
    Path specFile = FaultRuns.writeSpec(spec, tmp.resolve("spec.json"));
    try {
      ChildJvm server = start("server", List.of(), Main.class, "server", "--port", "0");
      String address = server.awaitOutput(LISTENING, Duration.ofSeconds(60)).group(1);
      ChildJvm control = worker("control", address, "control");
      ChildJvm train = worker("train", address, "train");
      ChildJvm first = worker("inference-1", address, "inference");
      ChildJvm second = worker("inference-2", address, "inference");
      for (ChildJvm w : List.of(control, train, first, second)) {
        w.awaitOutput(POLLING, Duration.ofSeconds(90));
      }
      long started = System.nanoTime();
      assertEquals(0, Main.commandLine().execute("start", "--address", address, "--spec", specFile.toString()));

      // Kill inference-1 in the middle of a respond shard.
      String victimShard = awaitShardInProgress(first, KILL_AFTER_ROWS, Duration.ofSeconds(120));
      first.kill();
      long killedAt = System.nanoTime();
      DataStore store = DataStore.open(root);
      Map<String, List<String>> interrupted = new LinkedHashMap<>();
      for (String callId : callIds(first, Stages.RESPOND)) {
        String path = shardPath(callId);
        if (!store.isComplete(path)) {
          interrupted.put(callId, FaultRuns.committedLines(root, path));
        }
      }
      assertTrue(interrupted.containsKey(victimShard), interrupted.toString());

      ChildJvm replacement = worker("inference-3", address, "inference");
      replacement.awaitOutput(POLLING, Duration.ofSeconds(90));
      awaitCall(replacement, Stages.RESPOND, Duration.ofSeconds(60));
      int unstarted = unstartedShards(store, Stages.RESPOND);
      ChildJvm late = worker("inference-4", address, "inference");
      late.awaitOutput(POLLING, Duration.ofSeconds(90));
      long lateAt = System.nanoTime();

      RunResult result;
      try (TemporalConnection conn = TemporalConnection.connect(address, "default", Duration.ofSeconds(10))) {
        result = WorkflowStub.fromTyped(conn.client().newWorkflowStub(SelfLengthenRun.class, RUN))
            .getResult(150, TimeUnit.SECONDS, RunResult.class);
        long finished = System.nanoTime();
        assertEquals(1, result.getRoundsCount());

        Map<String, String> completedBy = completedBy(conn.client().fetchHistory(CallIds.round(RUN, 1)));
        long byLate = completedBy.values().stream().filter(late.identity()::equals).count();
        assertTrue(byLate > 0, "the worker started mid-stage completed no shard (" + unstarted
            + " respond shards were unstarted when it was launched): " + completedBy);
        for (String callId : interrupted.keySet()) {
          assertTrue(completedBy.containsKey(callId), callId + " never completed: " + completedBy);
          assertTrue(!completedBy.get(callId).equals(first.identity()), callId);
        }

        // The killed shards continued after their committed rows.
        Map<String, Long> redone = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : interrupted.entrySet()) {
          String path = shardPath(e.getKey());
          ShardSummary s = RecordedResults.completed(store, path, ShardSummary.getDefaultInstance()).orElseThrow();
          List<String> before = e.getValue();
          assertEquals(before.size(), s.getResumedRows(), e.getKey() + ": rows found committed by the retry");
          assertEquals(before, FaultRuns.committedLines(root, path).subList(0, before.size()), e.getKey());
          ManifestEntry m = store.manifest(RUN).latest(path).orElseThrow();
          assertTrue(m.producer().attempt() >= 2, e.getKey() + " was recorded by attempt " + m.producer().attempt());
          Set<String> twice = samplesMadeTwice(spec, e.getKey(), first);
          for (String line : before) {
            assertTrue(!twice.contains(RespondUnits.key(line)), e.getKey() + ": committed sample " + line + " was made again");
          }
          redone.put(e.getKey(), (long) twice.size());
        }
        assertTrue(redone.values().stream().allMatch(n -> n <= 1), "samples made twice per killed shard: " + redone);

        // Every other shard ran once: no model call of a finished shard was made by two workers.
        assertNoCallTwice(interrupted.keySet());

        FaultRuns.assertSameSamples(RUN, store, FaultRuns.reference(spec, tmp.resolve("reference")));
        System.out.printf(
            "multi-process fault test: run %.1f s (killed at %.1f s, late worker polling at %.1f s),"
                + " %d killed shard(s) %s, committed rows before the kill %s, samples made twice %s,"
                + " shards completed by the late worker %d (%d respond shards unstarted at its launch),"
                + " whole test %.1f s%n",
            secs(finished - started), secs(killedAt - started), secs(lateAt - started), interrupted.size(),
            interrupted.keySet(), interrupted.values().stream().map(List::size).toList(), redone.values(), byLate,
            unstarted, secs(System.nanoTime() - t0));
      }
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

  private ChildJvm start(String name, List<String> props, Class<?> main, String... args) {
    ChildJvm j = ChildJvm.start(logs, name, props, main, args);
    jvms.add(j);
    return j;
  }

  private ChildJvm worker(String name, String address, String queue) {
    return start(name,
        List.of("-D" + CallLoggingModels.LOG + "=" + logs.resolve(name + ".calls"),
            "-D" + CallLoggingModels.SLOW_STAGE + "=" + Stages.RESPOND,
            "-D" + CallLoggingModels.SLOW_MILLIS + "=" + SLOW_MILLIS),
        FaultWorkerMain.class,
        "worker", "--address", address, "--queues", queue, "--slots", "1", "--grace-seconds", "0",
        "--data-root", root.toString());
  }

  private List<CallLoggingModels.Call> calls(ChildJvm j) {
    return CallLoggingModels.read(logs.resolve(j.name() + ".calls"));
  }

  private List<String> callIds(ChildJvm j, String stage) {
    return calls(j).stream().map(CallLoggingModels.Call::callId)
        .filter(id -> id.contains("/" + stage + "/")).distinct().toList();
  }

  private static String shardPath(String callId) {
    String[] p = callId.split("/");
    int round = Integer.parseInt(p[1].substring("round-".length()));
    int index = Integer.parseInt(p[3].substring("shard-".length()));
    return RunPaths.shardOutput(p[0], round, p[2], index);
  }

  /** Waits until the worker's current respond shard has committed {@code rows} rows; returns it. */
  private String awaitShardInProgress(ChildJvm worker, int rows, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    DataStore store = DataStore.open(root);
    while (System.nanoTime() < deadline) {
      List<String> ids = callIds(worker, Stages.RESPOND);
      if (!ids.isEmpty()) {
        String current = ids.get(ids.size() - 1);
        String path = shardPath(current);
        if (FaultRuns.committedLines(root, path).size() >= rows && !store.exists(path)) {
          return current;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError(worker.name() + " had no respond shard with " + rows + " committed rows");
  }

  private void awaitCall(ChildJvm worker, String stage, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (callIds(worker, stage).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, worker.name() + " made no " + stage + " call");
      Thread.sleep(50);
    }
  }

  /** Shards of the stage no worker has opened yet. */
  private int unstartedShards(DataStore store, String stage) {
    int opened = FaultRuns.openedShards(root, RUN, 1, stage).size();
    long planned = store.manifest(RUN).entries().stream()
        .filter(e -> e.path().equals(RunPaths.stageOutput(RUN, 1, Stages.SELF_INSTRUCT))).findFirst()
        .map(e -> (e.rows() + 1) / 2).orElse(0L);
    return (int) Math.max(0, planned - opened);
  }

  private Set<String> samplesMadeTwice(RunSpec spec, String callId, ChildJvm killed) {
    List<CallLoggingModels.Call> others = new ArrayList<>();
    for (ChildJvm j : jvms) {
      if (j != killed) {
        others.addAll(calls(j));
      }
    }
    return RespondUnits.madeTwice(spec, callId, calls(killed), others);
  }

  /** No call of a shard that was not interrupted was made by two workers. */
  private void assertNoCallTwice(Set<String> interrupted) {
    Map<String, String> seen = new HashMap<>();
    for (ChildJvm j : jvms) {
      for (CallLoggingModels.Call c : calls(j)) {
        if (interrupted.contains(c.callId())) {
          continue;
        }
        String other = seen.put(c.callId() + "#" + c.seed(), j.name());
        assertTrue(other == null || other.equals(j.name()),
            c.callId() + " seed " + c.seed() + " ran on " + other + " and " + j.name());
      }
    }
  }

  /** Shard call id -> identity of the worker that completed it, from the round's history. */
  static Map<String, String> completedBy(WorkflowExecutionHistory history) {
    DataConverter converter = Payloads.dataConverter();
    Map<Long, String> scheduled = new HashMap<>();
    Map<String, String> out = new LinkedHashMap<>();
    for (HistoryEvent e : history.getEvents()) {
      if (e.hasActivityTaskScheduledEventAttributes()) {
        var a = e.getActivityTaskScheduledEventAttributes();
        if (a.getActivityType().getName().endsWith("Shard")) {
          Payload input = a.getInput().getPayloads(0);
          ShardTask task = converter.fromPayload(input, ShardTask.class, ShardTask.class);
          scheduled.put(e.getEventId(), task.getContext().getCallId());
        }
      } else if (e.hasActivityTaskCompletedEventAttributes()) {
        var a = e.getActivityTaskCompletedEventAttributes();
        String callId = scheduled.get(a.getScheduledEventId());
        if (callId != null) {
          out.put(callId, a.getIdentity());
        }
      }
    }
    return out;
  }

  private static double secs(long nanos) {
    return nanos / 1e9;
  }
}
