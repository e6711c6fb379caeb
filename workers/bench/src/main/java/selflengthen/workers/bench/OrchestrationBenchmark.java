package selflengthen.workers.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import selflengthen.activities.CallIds;
import selflengthen.activities.Stages;
import selflengthen.spec.SpecDefaults;
import selflengthen.store.DataStore;
import selflengthen.v1.Models;
import selflengthen.v1.Parallelism;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.SelfLengthenRunImpl;
import selflengthen.workflows.TaskQueues;
import selflengthen.workflows.WorkflowImplementations;

/**
 * How much of a round's time goes to orchestration. One JVM: the embedded in-memory Temporal
 * server on loopback, the production worker setup ({@link WorkerHost}) with W activity slots per
 * queue, the real {@code SelfLengthenRun} and {@code SelfLengthenRound} workflows (a one-round
 * run, so the round runs as the run's child and signals its progress as in production) and
 * {@link SyntheticActivities} whose shards take exactly {@code activityMs}.
 *
 * <p>The round's shards are spread evenly over its four sharded stages. Times and event counts
 * come from the round's history as the server stored it.
 */
public final class OrchestrationBenchmark {
  /** Temporal's hard cap on the events of one workflow execution. */
  public static final long TEMPORAL_HISTORY_LIMIT = 51_200;
  /** The sample count of the projection. */
  public static final long PROJECTED_SAMPLES = 100_000;

  /** Shards of each untimed round that warms the JIT up first (1 ms each). */
  static final int WARMUP_SHARDS = 256;
  /**
   * Untimed warm-up rounds by default. The orchestration runs through a great deal of code (the
   * SDK's workers and state machines, the in-memory server, gRPC, protobuf) and the JIT compiles it
   * for a long time: counted per warm-up round (the JVM's own compilation clock), it still spent
   * 300 to 570 ms compiling in each round of about 850 ms after 16 rounds, the previous default,
   * and the timed rounds after them 110 to 240 ms of their 3.5 s; with 80 rounds that is 30 to 150
   * ms a round. Timed rounds measured with the JIT still busy on 2 cores measured the JVM's start,
   * not the orchestration of a run that lasts days. Every result reports its own compile time
   * ({@code jit_compile_ms}).
   */
  public static final int DEFAULT_WARMUP_ROUNDS = 80;
  /**
   * Warm-up rounds run at the same time (separate runs on one set of workers with this many times
   * the slots): the code paths are the same, and two rounds take about the wall time of one, so
   * the JIT gets there in half the time.
   */
  static final int WARMUP_ROUNDS_AT_ONCE = 2;

  static final List<String> SHARDED_STAGES =
      List.of(Stages.SELF_INSTRUCT, Stages.RESPOND, Stages.EXTEND, Stages.MEASURE);

  /**
   * A {@code parallelism.queued_shards} to measure: a fixed count, or (null) as many as the slots,
   * so a whole wave of equal shards waits in the queue.
   */
  public record QueueAhead(Integer fixed) {
    public static final QueueAhead ONE_WAVE = new QueueAhead(null);

    public QueueAhead {
      if (fixed != null && (fixed < 0 || fixed > 1024)) {
        throw new IllegalArgumentException("--queued-shards: each value must be W or between 0 and 1024 (got " + fixed + ")");
      }
    }

    /** "W" (as many as the slots) or a number. */
    public static QueueAhead parse(String text) {
      if (text.trim().equalsIgnoreCase("W")) {
        return ONE_WAVE;
      }
      try {
        return new QueueAhead(Integer.parseInt(text.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--queued-shards: each value must be W or a number (got '" + text + "')");
      }
    }

    int forSlots(int slots) {
      return fixed == null ? slots : fixed;
    }
  }

  /** What to run: every W with every queue-ahead variant, side by side. */
  public record Settings(
      int shards, List<Integer> slots, long activityMs, int shardSize, List<QueueAhead> queued, int warmupRounds) {
    public Settings(int shards, List<Integer> slots, long activityMs, int shardSize, List<QueueAhead> queued) {
      this(shards, slots, activityMs, shardSize, queued, DEFAULT_WARMUP_ROUNDS);
    }

    public Settings {
      if (warmupRounds < 0 || warmupRounds > 400) {
        throw new IllegalArgumentException("--warmup-rounds must be between 0 and 400 (got " + warmupRounds + ")");
      }
      slots = List.copyOf(slots);
      queued = List.copyOf(queued);
      if (queued.isEmpty()) {
        throw new IllegalArgumentException("--queued-shards: give at least one value");
      }
      if (shards < 1) {
        throw new IllegalArgumentException("--shards must be at least 1 (got " + shards + ")");
      }
      if (slots.isEmpty() || slots.stream().anyMatch(w -> w < 1 || w > 1024)) {
        throw new IllegalArgumentException("--slots: each value must be between 1 and 1024 (got " + slots + ")");
      }
      if (activityMs < 0) {
        throw new IllegalArgumentException("--activity-ms must be 0 or more (got " + activityMs + ")");
      }
      if (shardSize < 1) {
        throw new IllegalArgumentException("--shard-size must be at least 1 (got " + shardSize + ")");
      }
    }
  }

  /** One W's figures, with one queue-ahead. */
  public record SlotResult(
      int slots,
      int queuedShards,
      long idealMs,
      long measuredMs,
      double efficiency,
      double activitiesPerSecond,
      long fanOutMs,
      double fanOutEfficiency,
      long outsideFanOutsMs,
      Map<String, Long> outsideFanOutsByGapMs,
      double slotIdleMsPerShard,
      double completionToScheduleMs,
      double scheduleToCloseOverheadMs,
      long roundHistoryEvents,
      int roundExecutions,
      double eventsPerShard,
      long workflowTasks,
      long progressSignals,
      Map<String, Long> historyEventsByType,
      long runWallMs,
      long processCpuMs,
      double cpuCoresUsed,
      long jitCompileMs) {}

  /**
   * One (W, queued) variant over its runs: a W given more than once in {@code --slots} runs again,
   * and the efficiency moves by a few hundredths between runs on a shared machine.
   */
  public record Summary(
      int slots, int queuedShards, int runs, double medianEfficiency, double minEfficiency, double maxEfficiency) {}

  /** The events of a 100k-sample round, extrapolated from the measured events per shard. */
  public record Projection(
      long samples,
      int shardSize,
      long shards,
      double eventsPerShard,
      long fixedEvents,
      long projectedRoundEvents,
      long temporalHistoryLimit,
      boolean withinLimit,
      long maxShardsPerExecution,
      long roundContinueAsNewThreshold,
      String note) {}

  /** The machine the numbers come from: the server, workers and client share its cores. */
  @JsonPropertyOrder({"cores", "load_average_1m", "java"})
  public record Machine(int cores, @JsonProperty("load_average_1m") double loadAverage1m, String java) {
    static Machine now() {
      return new Machine(
          Runtime.getRuntime().availableProcessors(),
          round3(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()),
          System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    }
  }

  /** Everything the command prints. */
  @JsonPropertyOrder({"benchmark", "setup", "machine", "warmup_rounds", "warmup_rounds_at_once", "warmup_shards",
      "warmup_ms", "warmup_jit_compile_ms", "shards", "shards_per_stage",
      "activity_ms", "fixed_events_per_round", "results", "projection_100k"})
  public record Report(
      String benchmark,
      String setup,
      Machine machine,
      int warmupRounds,
      int warmupRoundsAtOnce,
      int warmupShards,
      long warmupMs,
      long warmupJitCompileMs,
      int shards,
      Map<String, Integer> shardsPerStage,
      long activityMs,
      long fixedEventsPerRound,
      List<SlotResult> results,
      List<Summary> summary,
      @JsonProperty("projection_100k") Projection projection100k) {}

  private final Settings settings;
  private final PrintWriter progress;

  public OrchestrationBenchmark(Settings settings, PrintWriter progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** The default shard size of a run spec. */
  public static int defaultShardSize() {
    return SpecDefaults.resolve(RunSpec.getDefaultInstance()).getParallelism().getShardSize();
  }

  /** {@code shards} spread over the round's sharded stages, the earlier stages taking the remainder. */
  static Map<String, Integer> perStage(int shards) {
    Map<String, Integer> out = new LinkedHashMap<>();
    int n = SHARDED_STAGES.size();
    for (int i = 0; i < n; i++) {
      out.put(SHARDED_STAGES.get(i), shards / n + (i < shards % n ? 1 : 0));
    }
    return out;
  }

  public Report run() {
    Path root;
    try {
      root = Files.createTempDirectory("selflengthen-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch data root: " + e.getMessage(), e);
    }
    try (EmbeddedTemporal server = EmbeddedTemporal.start(0);
        TemporalConnection conn = TemporalConnection.inProcess(
            server, ConnectionSettings.plain(server.address(), "default"), Duration.ofSeconds(10))) {
      DataStore store = DataStore.open(root);
      Map<String, Integer> stages = perStage(settings.shards());
      // Let the JIT compile the shard and boundary paths before anything is timed (1 ms shards:
      // two rounds at a time take about 1.2 s).
      int warmup = Math.min(WARMUP_SHARDS, settings.shards());
      int widest = settings.slots().stream().mapToInt(Integer::intValue).max().orElse(1);
      long warmupStarted = System.nanoTime();
      long jitBefore = jitMillis();
      for (int done = 0; done < settings.warmupRounds(); done += WARMUP_ROUNDS_AT_ONCE) {
        int atOnce = Math.min(WARMUP_ROUNDS_AT_ONCE, settings.warmupRounds() - done);
        runWarmup(conn, store, widest, atOnce, perStage(warmup), "warmup" + done);
      }
      long warmupMs = (System.nanoTime() - warmupStarted) / 1_000_000;
      long warmupJit = jitSince(jitBefore);
      progress.printf("%d warm-up rounds of %d shards done (%d at a time) in %d ms, %d ms of it compiling%n",
          settings.warmupRounds(), warmup, WARMUP_ROUNDS_AT_ONCE, warmupMs, warmupJit);
      // A round without shards: the events (and CPU) every round has whatever its size.
      Measured empty = runOnce(conn, store, widest, 0, perStage(0), 0, "fixed");
      long fixed = empty.history().events();
      progress.printf("round without shards: %d history events%n", fixed);
      progress.flush();
      List<SlotResult> results = new ArrayList<>();
      for (int w : settings.slots()) {
        for (QueueAhead q : settings.queued()) {
          int queued = q.forSlots(w);
          Measured m = runOnce(conn, store, w, queued, stages, settings.activityMs(), "w" + w + "-q" + queued);
          SlotResult r = result(w, queued, m, fixed);
          progress.printf("W=%d, %d queued ahead: %d ms (ideal %d ms), efficiency %.3f, %d events%n",
              w, queued, r.measuredMs(), r.idealMs(), r.efficiency(), r.roundHistoryEvents());
          progress.flush();
          results.add(r);
        }
      }
      return new Report(
          "orchestration",
          "embedded in-memory Temporal on " + server.address() + "; real SelfLengthenRun (1 round) and"
              + " SelfLengthenRound; WorkerHost workers on every queue with W activity slots each,"
              + " max_concurrent_shards = W and queued_shards (scheduled ahead of them) as each result"
              + " says; workers and client reach the server in process; control steps as local"
              + " activities in the control worker;"
              + " synthetic activities (shards sleep activity_ms, the rest return at once, nothing is"
              + " written)",
          Machine.now(),
          settings.warmupRounds(),
          WARMUP_ROUNDS_AT_ONCE,
          warmup,
          warmupMs,
          warmupJit,
          settings.shards(),
          stages,
          settings.activityMs(),
          fixed,
          results,
          summarize(results),
          projection(results, fixed));
    } finally {
      deleteTree(root);
    }
  }

  private record Measured(RoundHistory history, long wallMs, long cpuMs, long jitMs) {}

  private Measured runOnce(TemporalConnection conn, DataStore store, int slots, int queued,
      Map<String, Integer> stages, long activityMs, String tag) {
    WorkerHost host = startWorkers(conn, store, slots, stages, activityMs);
    try {
      long cpuBefore = processCpuNanos();
      long jitBefore = jitMillis();
      long started = System.nanoTime();
      String runId = startRun(conn, store, tag, slots, queued);
      long total = stages.values().stream().mapToLong(Integer::longValue).sum();
      awaitRun(conn, runId, 120_000 + 3 * total * activityMs / slots);
      long wallMs = (System.nanoTime() - started) / 1_000_000;
      long cpuMs = (processCpuNanos() - cpuBefore) / 1_000_000;
      long jitMs = jitSince(jitBefore);
      RoundHistory history = RoundHistory.read(conn.stubs(), conn.namespace(), CallIds.round(runId, 1));
      return new Measured(history, wallMs, cpuMs, jitMs);
    } finally {
      host.shutdown(Duration.ofSeconds(10));
    }
  }

  /** {@code runs} untimed one-round runs of 1 ms shards at once, W = {@code slots} each, a wave queued. */
  private void runWarmup(TemporalConnection conn, DataStore store, int slots, int runs,
      Map<String, Integer> stages, String tag) {
    WorkerHost host = startWorkers(conn, store, slots * runs, stages, 1);
    try {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        ids.add(startRun(conn, store, tag + "-" + i, slots, slots));
      }
      for (String id : ids) {
        awaitRun(conn, id, 120_000);
      }
    } finally {
      host.shutdown(Duration.ofSeconds(10));
    }
  }

  /** The production worker setup on every queue, the synthetic activities behind it. */
  private static WorkerHost startWorkers(TemporalConnection conn, DataStore store, int slots,
      Map<String, Integer> stages, long activityMs) {
    SyntheticActivities activities = new SyntheticActivities(store, stages, activityMs);
    WorkerRegistrar registrar = (queue, worker, ctx) -> {
      if (queue.equals(TaskQueues.CONTROL)) {
        WorkflowImplementations.register(worker);
      }
      worker.registerActivitiesImplementations(activities);
    };
    return WorkerHost.start(
        new WorkerContext(store, slots, TaskQueues.ALL, conn.address(), conn.namespace(), conn.client()),
        // The server lives in this process, as in 'dev': the workers keep sticky execution.
        registrar, WorkerHost.ServerKind.IN_MEMORY_HERE);
  }

  /** Starts a one-round run with W = {@code slots}; returns its id. */
  private String startRun(TemporalConnection conn, DataStore store, String tag, int slots, int queued) {
    RunSpec spec = spec(store, "bench-" + tag + "-" + System.currentTimeMillis(), slots, queued);
    SelfLengthenRun run = conn.client().newWorkflowStub(SelfLengthenRun.class,
        WorkflowOptions.newBuilder().setWorkflowId(spec.getRunId()).setTaskQueue(TaskQueues.CONTROL).build());
    WorkflowClient.start(run::run, spec, null);
    return spec.getRunId();
  }

  private static void awaitRun(TemporalConnection conn, String runId, long timeoutMs) {
    try {
      conn.client().newUntypedWorkflowStub(runId).getResult(timeoutMs, TimeUnit.MILLISECONDS, RunResult.class);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("benchmark run " + runId + " did not finish in " + timeoutMs + " ms", e);
    }
  }

  private RunSpec spec(DataStore store, String runId, int slots, int queued) {
    Parallelism.Builder parallelism = Parallelism.newBuilder()
        .setShardSize(settings.shardSize())
        .setMaxConcurrentShards(slots)
        // Every shard runs: no straggler cut in a benchmark of the fan-out.
        .setStragglerFraction(1.0f);
    parallelism.setQueuedShards(queued);
    return SpecDefaults.resolve(RunSpec.newBuilder()
        .setRunId(runId)
        .setDataRoot(store.root().toString())
        .setRounds(1)
        .setModels(Models.newBuilder().setBaseModel("/benchmark/none"))
        // The fan-out of one round: no collection pass, and self-instruct's shards unchained (its
        // batches would let only one shard per batch run at a time, which is the method, not the
        // orchestration).
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile("/benchmark/none.jsonl").setSeedsOnly(true))
        .setCollect(selflengthen.v1.Collect.newBuilder().setEnabled(false))
        .setParallelism(parallelism)
        .build());
  }

  /**
   * Milliseconds the JIT has spent compiling in this JVM so far (its compiler threads' clock); -1
   * where the JVM does not keep it.
   */
  private static long jitMillis() {
    java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  private static long jitSince(long before) {
    return before < 0 ? -1 : jitMillis() - before;
  }

  /** CPU time of this whole process: the server, the workers and the client together. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private SlotResult result(int slots, int queued, Measured m, long fixed) {
    RoundHistory h = m.history();
    long shards = settings.shards();
    long ideal = shards * settings.activityMs() / slots;
    long measured = h.durationMillis();
    List<RoundHistory.ShardWindow> windows = h.windows(TaskQueues.INFERENCE);
    long ran = windows.stream().mapToLong(RoundHistory.ShardWindow::shards).sum();
    if (ran != shards) {
      throw new IllegalStateException("the round ran " + ran + " shards, expected " + shards);
    }
    long fanOut = windows.stream().mapToLong(RoundHistory.ShardWindow::millis).sum();
    Map<String, Long> gaps = h.gapsMillis(windows);
    RoundHistory.Latencies lat = h.latencies(TaskQueues.INFERENCE, settings.activityMs());
    return new SlotResult(
        slots,
        queued,
        ideal,
        measured,
        ratio(ideal, measured),
        round3(measured == 0 ? 0 : shards * 1000.0 / measured),
        fanOut,
        ratio(ideal, fanOut),
        gaps.values().stream().mapToLong(Long::longValue).sum(),
        gaps,
        // How long a slot waits between the end of one shard and the start of the next: the
        // completion's trip to the server, the workflow task that starts the next, the poll.
        round3(Math.max(0, windows.stream()
            .mapToDouble(w -> (double) w.millis() * Math.min(slots, w.shards())).sum() / shards
            - settings.activityMs())),
        round3(lat.completionToScheduleMs()),
        round3(lat.scheduleToCloseOverheadMs()),
        h.events(),
        h.executions(),
        round3((double) (h.events() - fixed) / shards),
        h.count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
        h.count(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED),
        h.countsByType(),
        m.wallMs(),
        m.cpuMs(),
        round3(m.wallMs() == 0 ? 0 : (double) m.cpuMs() / m.wallMs()),
        m.jitMs());
  }

  /** Per (W, queued), in the order first measured: median, lowest and highest efficiency. */
  static List<Summary> summarize(List<SlotResult> results) {
    Map<List<Integer>, List<Double>> byVariant = new LinkedHashMap<>();
    for (SlotResult r : results) {
      byVariant.computeIfAbsent(List.of(r.slots(), r.queuedShards()), k -> new ArrayList<>()).add(r.efficiency());
    }
    List<Summary> out = new ArrayList<>();
    byVariant.forEach((key, effs) -> {
      List<Double> sorted = effs.stream().sorted().toList();
      int n = sorted.size();
      double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      out.add(new Summary(key.get(0), key.get(1), n, round3(median), sorted.get(0), sorted.get(n - 1)));
    });
    return out;
  }

  private Projection projection(List<SlotResult> results, long fixed) {
    int size = settings.shardSize();
    long shards = (PROJECTED_SAMPLES + size - 1) / size;
    // The most events per shard over the measured W: completions that arrive one by one (few slots,
    // long shards) each cost a workflow task of their own.
    double perShard = results.stream().mapToDouble(SlotResult::eventsPerShard).max().orElse(0);
    long projected = fixed + (long) Math.ceil(perShard * shards);
    long maxShards = perShard <= 0 ? Long.MAX_VALUE
        : (long) Math.floor((TEMPORAL_HISTORY_LIMIT - fixed) / perShard);
    return new Projection(
        PROJECTED_SAMPLES,
        size,
        shards,
        perShard,
        fixed,
        projected,
        TEMPORAL_HISTORY_LIMIT,
        projected < TEMPORAL_HISTORY_LIMIT,
        maxShards,
        SelfLengthenRunImpl.ROUND_HISTORY_LIMIT,
        "A round continues-as-new at the next stage boundary once its history has "
            + SelfLengthenRunImpl.ROUND_HISTORY_LIMIT + " events (or the server suggests it), so"
            + " the 51,200 cap applies to one execution: the events of the stages since the last"
            + " boundary. A stage is never split: one stage of a 100k-sample round (" + shards
            + " shards) must stay under the cap on its own; max_shards_per_execution is the"
            + " largest stage that does at the measured events per shard. Progress signals to"
            + " the run (at most one per " + SelfLengthenRunImpl.PROGRESS_INTERVAL_MS + " ms, only"
            + " on change) are included; with shards minutes long they come closer to one per"
            + " shard than in this benchmark.");
  }

  private static double ratio(long ideal, long measured) {
    return measured <= 0 ? 0 : round3((double) ideal / measured);
  }

  private static double round3(double x) {
    return Math.round(x * 1000) / 1000.0;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A scratch directory left behind in the temp dir is harmless.
    }
  }
}
