package selflengthen.workers.demo;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import com.fasterxml.jackson.databind.ObjectMapper;
import selflengthen.store.DataStore;
import selflengthen.v1.LengthStats;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.RunStatus;
import selflengthen.v1.StageProgress;
import selflengthen.v1.StageState;
import selflengthen.v1.TrainingResult;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * The end-to-end demo in one JVM: the seed model (built or cached), Temporal's in-memory server on
 * loopback, workers for every queue, one Self-Lengthen run started like any other, its progress
 * printed while it runs, and the figures that matter printed at the end: the Generator's mean words
 * on held-out tasks for the seed model and after every round.
 */
public final class DemoRun {
  /** What to run. */
  public record Options(Path dataRoot, String runId, int port, int slots, boolean rebuildSeedModel,
      DemoSeedModel.Settings model, DemoSpec.Scale scale, long seed, Duration timeout,
      java.util.function.UnaryOperator<RunSpec> specOptions) {
    public Options(Path dataRoot, String runId, int port, int slots, boolean rebuildSeedModel,
        DemoSeedModel.Settings model, DemoSpec.Scale scale, long seed, Duration timeout) {
      this(dataRoot, runId, port, slots, rebuildSeedModel, model, scale, seed, timeout,
          java.util.function.UnaryOperator.identity());
    }
  }

  /** The outcome: the run's result and the verdict on the length growth. */
  public record Outcome(RunResult result, LengthGrowth growth, Path reportDir) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Options options;
  private final WorkerRegistrar registrar;
  private final PrintWriter out;

  public DemoRun(Options options, WorkerRegistrar registrar, PrintWriter out) {
    this.options = options;
    this.registrar = registrar;
    this.out = out;
  }

  public Outcome run() throws IOException, InterruptedException, TimeoutException {
    long started = System.nanoTime();
    DataStore store = DataStore.open(options.dataRoot());
    DemoSeedModel.Built model = DemoSeedModel.ensure(
        store.root().resolve("seed-models"), options.model(), options.rebuildSeedModel(), out);
    Path seeds = writeTasks(store.root().resolve("demo/seed_tasks.jsonl"), model.seedTasks());
    Path heldOut = writeTasks(store.root().resolve("demo/held_out_tasks.jsonl"), model.heldOutTasks());
    RunSpec spec = DemoSpec.build(options.runId(), store.root(), model.modelDir(), seeds, heldOut,
        options.scale(), options.seed());
    // Options the user turned on (e.g. demo --dpo, --agentwrite) on top of the demo's spec.
    spec = options.specOptions().apply(spec);

    try (EmbeddedTemporal server = EmbeddedTemporal.start(options.port());
        TemporalConnection conn = TemporalConnection.inProcess(
            server, ConnectionSettings.plain(server.address(), "default"), Duration.ofSeconds(10))) {
      WorkerHost host = WorkerHost.start(new WorkerContext(store, options.slots(), TaskQueues.ALL,
          conn.address(), conn.namespace(), conn.client()), registrar, WorkerHost.ServerKind.IN_MEMORY_HERE);
      try {
        out.printf("demo: Temporal (in memory) at %s; watch from another terminal with:%n"
            + "  bin/selflengthen status %s --watch --address %s%n",
            server.address(), options.runId(), server.address());
        out.flush();
        SelfLengthenRun workflow = conn.client().newWorkflowStub(SelfLengthenRun.class,
            WorkflowOptions.newBuilder().setWorkflowId(options.runId())
                .setTaskQueue(TaskQueues.CONTROL).build());
        WorkflowClient.start(workflow::run, spec, null);
        RunResult result = follow(conn.client(), started);
        LengthGrowth growth = LengthGrowth.of(result);
        Path reportDir = store.root().resolve("runs/" + options.runId() + "/report");
        printSummary(result, growth, reportDir, started);
        return new Outcome(result, growth, reportDir);
      } finally {
        host.shutdown(Duration.ofSeconds(5));
      }
    }
  }

  /** Prints progress while the run goes, each finished round's figures, and returns the result. */
  private RunResult follow(WorkflowClient client, long started)
      throws InterruptedException, TimeoutException {
    WorkflowStub stub = client.newUntypedWorkflowStub(options.runId());
    CompletableFuture<RunResult> done = stub.getResultAsync(RunResult.class);
    SelfLengthenRun query = client.newWorkflowStub(SelfLengthenRun.class, options.runId());
    ProgressPrinter printer = new ProgressPrinter(out, started);
    long deadline = System.nanoTime() + options.timeout().toNanos();
    while (!done.isDone()) {
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("the demo run did not finish within " + options.timeout());
      }
      try {
        RunStatus status = query.status();
        printer.update(status, training(client, status));
      } catch (RuntimeException e) {
        // Between continue-as-new executions the query can miss; the next poll catches up.
      }
      try {
        done.get(2, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        // keep polling
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("the demo run failed: " + rootMessage(e), e);
      }
    }
    return done.join();
  }

  /** The heartbeats of the round's running training stages (they have no shards to count). */
  private Map<String, String> training(WorkflowClient client, RunStatus s) {
    List<String> running = new ArrayList<>();
    for (StageProgress p : s.getStagesList()) {
      if (p.getName().startsWith("train_") && p.getState() == StageState.STAGE_STATE_RUNNING) {
        running.add(p.getName());
      }
    }
    if (running.isEmpty() || s.getRound() == 0) {
      return Map.of();
    }
    return TrainingHeartbeats.read(client, options.runId() + "/round-" + s.getRound());
  }

  private void printSummary(RunResult result, LengthGrowth growth, Path reportDir, long started) {
    out.println();
    out.println("== Self-Lengthen demo: held-out mean words of the Generator ==");
    LengthStats seed = result.getSeedHeldOutLengths();
    out.printf("  seed model : %7.1f             %d of %d answers hit the token budget%n",
        seed.getMeanWords(), seed.getCapped(), seed.getCount());
    for (RoundResult r : result.getRoundsList()) {
      LengthStats h = r.getHeldOutLengths();
      out.printf("  round %-5d: %7.1f  (x%.2f)  %d of %d answers hit the token budget%n", r.getRound(),
          h.getMeanWords(), h.getMeanWords() / seed.getMeanWords(), h.getCapped(), h.getCount());
    }
    out.println("demo overrides of the reference defaults (and why):");
    List<String> overrides = DemoSpec.overrides(options.scale());
    for (String o : overrides) {
      out.println("  - " + o);
    }
    try {
      Files.createDirectories(reportDir);
      List<String> md = new ArrayList<>(List.of("# Demo overrides of the reference defaults", ""));
      overrides.forEach(o -> md.add("- " + o));
      Files.write(reportDir.resolve("demo_overrides.md"), md);
      out.println("  (also in " + reportDir.resolve("demo_overrides.md") + ")");
    } catch (IOException e) {
      out.println("  (could not write demo_overrides.md: " + e.getMessage() + ")");
    }
    out.println("report: " + reportDir.resolve("report.md"));
    for (String f : result.getReportFilesList()) {
      out.println("  " + options.dataRoot().resolve(f));
    }
    out.printf("demo finished in %ds%n", (System.nanoTime() - started) / 1_000_000_000L);
    out.println(growth.verdict());
    out.flush();
  }

  private static Path writeTasks(Path file, List<String> tasks) throws IOException {
    Files.createDirectories(file.getParent());
    List<String> lines = new ArrayList<>();
    for (String t : tasks) {
      lines.add(JSON.writeValueAsString(Map.of("instruction", t)));
    }
    Files.write(file, lines);
    return file;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /** Prints a line when the stage changes or shards finish, and a block per finished round. */
  static final class ProgressPrinter {
    private final PrintWriter out;
    private final long started;
    private String lastLine = "";
    private int roundsPrinted;
    private boolean seedPrinted;

    ProgressPrinter(PrintWriter out, long started) {
      this.out = out;
      this.started = started;
    }

    void update(RunStatus s, Map<String, String> training) {
      if (!seedPrinted && s.hasSeedHeldOutLengths() && s.getSeedHeldOutLengths().getCount() > 0) {
        LengthStats seed = s.getSeedHeldOutLengths();
        out.printf("seed model on %d held-out tasks: mean %.1f words, median %.1f,"
            + " %d hit the token budget%n",
            seed.getCount(), seed.getMeanWords(), seed.getMedianWords(), seed.getCapped());
        seedPrinted = true;
      }
      while (roundsPrinted < s.getRoundsCount()) {
        printRound(s.getRounds(roundsPrinted++));
      }
      String line = progressLine(s, training);
      if (!line.equals(lastLine)) {
        out.printf("[%4ds] %s%n", (System.nanoTime() - started) / 1_000_000_000L, line);
        lastLine = line;
      }
      out.flush();
    }

    /**
     * "round 1/2 | respond 3/8 shards, 24 samples, mean 310 words"; a stage without shards
     * (training) shows its heartbeat instead, or only its name.
     */
    static String progressLine(RunStatus s, Map<String, String> training) {
      StringBuilder b = new StringBuilder();
      if (s.getPhase().equals("round") && s.getRound() > 0) {
        b.append("round ").append(s.getRound()).append('/').append(s.getRoundsTotal());
      } else {
        b.append(s.getPhase());
      }
      for (StageProgress p : s.getStagesList()) {
        if (training.containsKey(p.getName())) {
          b.append(" | ").append(p.getName()).append(' ').append(training.get(p.getName()));
        } else if (p.getName().equals(s.getStage())) {
          b.append(" | ").append(p.getName());
          if (p.getShardsTotal() > 0) {
            b.append(' ').append(p.getShardsDone()).append('/').append(p.getShardsTotal()).append(" shards, ")
                .append(p.getSamples()).append(" samples");
            if (p.getMeanWords() > 0) {
              b.append(String.format(Locale.ROOT, ", mean %.0f words", p.getMeanWords()));
            }
          }
        }
      }
      return b.toString();
    }

    private static String training(TrainingResult t) {
      return String.format(Locale.ROOT, "%d steps, loss %.3f -> %.3f, %.0f tokens/s",
          t.getSteps(), t.getFirstLoss(), t.getFinalLoss(), t.getTokensPerSecond());
    }

    private void printRound(RoundResult r) {
      out.printf("-- round %d --%n", r.getRound());
      out.printf("  instructions made      %d%n", r.getInstructionsMade());
      out.printf("  responses kept         %d%n", r.getResponsesKept());
      out.printf("  initial responses      mean %.1f, median %.1f words%n",
          r.getInitialLengths().getMeanWords(), r.getInitialLengths().getMedianWords());
      out.printf("  extended responses     mean %.1f, median %.1f words (%d kept)%n",
          r.getExtendedLengths().getMeanWords(), r.getExtendedLengths().getMedianWords(),
          r.getExtendedLengths().getCount());
      out.printf("  extension acceptance   %.0f%%%n", 100 * r.getExtensionAcceptance());
      out.printf("  training generator     %s%n", training(r.getGeneratorTraining()));
      out.printf("  training extender      %s%n", training(r.getExtenderTraining()));
      out.printf("  held-out answers       mean %.1f, median %.1f words; %d of %d hit the token budget%n",
          r.getHeldOutLengths().getMeanWords(), r.getHeldOutLengths().getMedianWords(),
          r.getHeldOutLengths().getCapped(), r.getHeldOutLengths().getCount());
    }
  }
}
