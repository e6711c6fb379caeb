package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import selflengthen.spec.SpecValidator;
import selflengthen.store.DataStore;
import selflengthen.v1.RunSpec;
import selflengthen.workers.ControllableRun;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.TaskQueues;

/** The CLI end to end against the embedded server, with a test double of the run workflow. */
@Tag("integration")
class CliTest {
  @TempDir static Path dir;
  static EmbeddedTemporal server;
  static TemporalConnection conn;
  static WorkerHost host;
  static Path model;
  static Path seeds;
  static Path dataRoot;

  static final WorkerRegistrar REGISTRAR = (queue, worker, ctx) -> {
    if (queue.equals(TaskQueues.CONTROL)) {
      worker.registerWorkflowImplementationTypes(ControllableRun.class);
    }
  };

  @BeforeAll
  static void start() throws IOException {
    server = EmbeddedTemporal.start(0);
    conn = TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10));
    dataRoot = dir.resolve("data");
    host = WorkerHost.start(new WorkerContext(DataStore.open(dataRoot), 2, TaskQueues.ALL,
        conn.address(), conn.namespace(), conn.client()), REGISTRAR, true);
    model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    seeds = dir.resolve("seeds.jsonl");
    Files.write(seeds, IntStream.range(0, 30).mapToObj(i -> "{\"prompt\":\"Write at length on " + i + ".\"}").toList());
  }

  @AfterAll
  static void stop() {
    host.shutdown(Duration.ofSeconds(5));
    conn.close();
    server.close();
  }

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    CommandLine cl = Main.commandLine(() -> REGISTRAR);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    if (!all.isEmpty() && !List.of("server", "dev", "worker").contains(all.get(0))) {
      all.add("--address");
      all.add(server.address());
    }
    int code = cl.execute(all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private Result startRun(String runId, String... more) {
    List<String> args = new ArrayList<>(List.of("start", "--run-id", runId, "--base-model", model.toString(),
        "--seed-file", seeds.toString(), "--data-root", dataRoot.toString()));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private WorkflowExecutionStatus state(String runId) {
    return Runs.status(conn, runId).orElseThrow();
  }

  @Test
  void startPrintsTheWorkflowIdAndStatusShowsProgress() {
    Result started = startRun("cli-1", "--rounds", "2", "--parallelism", "5", "--instructions-per-round", "40");
    assertEquals(0, started.code(), started.err());
    assertEquals("cli-1", started.out().strip());
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, state("cli-1"));

    Result status = run("status", "cli-1");
    assertEquals(0, status.code(), status.err());
    String text = status.out();
    assertTrue(text.startsWith("run cli-1  phase round  round 1/2  stage respond  parallelism 5\n"), text);
    assertTrue(text.contains("self_instruct    done     [########################]       4/4"), text);
    assertTrue(text.contains("respond          running  [######..................]       2/8        3"), text);
    assertTrue(text.contains("      40 "), "samples of self_instruct: " + text);
    assertTrue(text.contains("812.3"), text);
    assertTrue(text.contains("stage ETA 1m30s"), text);
  }

  @Test
  void aStartedRunAlreadyRunningIsRefused() {
    assertEquals(0, startRun("cli-dup").code());
    Result again = startRun("cli-dup");
    assertEquals(1, again.code());
    assertEquals("error: run 'cli-dup' is already running (see: selflengthen status cli-dup)\n", again.err());
  }

  @Test
  void anInvalidSpecStartsNothingAndNamesEveryProblem() {
    Result r = run("start", "--run-id", "bad id", "--rounds", "0", "--seed-file", dir.resolve("none.jsonl").toString(),
        "--base-model", model.toString());
    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: invalid run spec (3 problems): run_id: 'bad id'"), r.err());
    assertTrue(r.err().contains("rounds: must be at least 1 (got 0)"), r.err());
    assertTrue(r.err().contains("self_instruct.seed_file: file not found"), r.err());
    assertTrue(Runs.status(conn, "bad id").isEmpty());
  }

  @Test
  void startSpecProbesAreRefusedWithTheFieldNamed() throws IOException {
    Path file = dir.resolve("probe.yaml");
    Files.writeString(file, "run_id: probe\nrounds: -1\nmodels:\n  base_model: " + model
        + "\nself_instruct:\n  seed_file: " + seeds + "\n  instructions_per_rond: 4\n");
    Result r = run("start", "--spec", file.toString());
    assertEquals(1, r.code());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("rounds: -1 is not a count"), r.err());
    assertTrue(r.err().contains("self_instruct.instructions_per_rond: unknown field (did you mean instructions_per_round?)"), r.err());

    Files.writeString(file, "run_id: probe\nmodels:\n  base_model: " + model + "\nself_instruct:\n  seed_file: " + dir
        + "\nparallelism:\n  max_concurrent_shards: 100000\n");
    r = run("start", "--spec", file.toString());
    assertEquals(1, r.code());
    assertTrue(r.err().contains("parallelism.max_concurrent_shards: must be at most 1024 (got 100000)"), r.err());
    assertTrue(r.err().contains("self_instruct.seed_file: " + dir + " is a directory, not a file"), r.err());
    assertTrue(Runs.status(conn, "probe").isEmpty());
  }

  @Test
  void aSpecFileWithFlagsOnTopAndDryRun() throws IOException {
    Path file = dir.resolve("spec.yaml");
    // A Chinese run needs Chinese seeds: a spec whose language contradicts its seeds is refused.
    Files.writeString(file, "run_id: from-file\nrounds: 5\nlanguage: LANGUAGE_ZH\nmodels:\n  base_model: "
        + model + "\nself_instruct:\n  seed_file: " + seeds + "\n");
    Result refused = run("start", "--spec", file.toString(), "--dry-run");
    assertEquals(1, refused.code());
    assertTrue(refused.err().contains("language: the spec says LANGUAGE_ZH but the seed file"), refused.err());
    assertEquals(1, refused.err().strip().lines().count(), refused.err());
    Path zhSeeds = dir.resolve("zh-seeds.jsonl");
    Files.writeString(zhSeeds, "{\"prompt\": \"写一篇关于长江的散文。\"}\n{\"prompt\": \"描写一座古城的四季变化。\"}\n{\"prompt\": \"写一份详细的城市养蜂指南。\"}\n");
    Files.writeString(file, "run_id: from-file\nrounds: 5\nlanguage: LANGUAGE_ZH\nmodels:\n  base_model: "
        + model + "\nself_instruct:\n  seed_file: " + zhSeeds + "\n");
    Result r = run("start", "--spec", file.toString(), "--rounds", "4", "--shard-size", "3", "--dry-run");
    assertEquals(0, r.code(), r.err());
    RunSpec printed = selflengthen.spec.SpecFiles.fromJson(r.out());
    assertEquals("from-file", printed.getRunId());
    assertEquals(4, printed.getRounds());
    assertEquals(3, printed.getParallelism().getShardSize());
    assertEquals("LANGUAGE_ZH", printed.getLanguage().name());
    assertEquals("", printed.getDataRoot(), "no data_root: the workers' configured one");
    assertTrue(Runs.status(conn, "from-file").isEmpty(), "dry run starts nothing");
    Result relative = run("start", "--spec", file.toString(), "--data-root", "../x", "--dry-run");
    assertEquals(0, relative.code(), relative.err());
    String root = selflengthen.spec.SpecFiles.fromJson(relative.out()).getDataRoot();
    assertTrue(Path.of(root).isAbsolute(), root);
  }

  @Test
  void pauseUnpauseAndSetParallelism() {
    assertEquals(0, startRun("cli-ctl").code());
    assertEquals("pause requested for cli-ctl\n", run("pause", "cli-ctl").out());
    assertTrue(run("status", "cli-ctl").out().lines().findFirst().orElseThrow().endsWith("PAUSED"));
    assertEquals(0, run("unpause", "cli-ctl").code());
    assertFalse(run("status", "cli-ctl").out().contains("PAUSED"));

    Result set = run("set-parallelism", "cli-ctl", "12");
    assertEquals(0, set.code(), set.err());
    assertEquals("cli-ctl: parallelism now 12\n", set.out());
    assertTrue(run("status", "cli-ctl").out().contains("parallelism 12"));

    Result refused = run("set-parallelism", "cli-ctl", "5000");
    assertEquals(1, refused.code());
    assertEquals("error: update rejected: max_concurrent_shards must be at most 1000\n", refused.err());
    Result zero = run("set-parallelism", "cli-ctl", "0");
    assertEquals("error: N must be at least 1 (got 0)\n", zero.err());
  }

  @Test
  void cancelThenResumeFromTheStoredSpec() {
    assertEquals(0, startRun("cli-res", "--rounds", "2").code());
    RunSpec spec = SpecValidator.validate(RunSpec.newBuilder().setRunId("cli-res").setRounds(2)
        .setDataRoot(dataRoot.toString())
        .setModels(selflengthen.v1.Models.newBuilder().setBaseModel(model.toString()))
        .setSelfInstruct(selflengthen.v1.SelfInstruct.newBuilder().setSeedFile(seeds.toString()))
        .build());
    // The run workflow stores its spec; this double does not, so the test does.
    DataStore.open(dataRoot).writeSpec(spec);

    Result running = run("resume", "cli-res", "--data-root", dataRoot.toString());
    assertEquals(1, running.code());
    assertTrue(running.err().startsWith("error: run 'cli-res' is still running: nothing to resume"), running.err());

    assertEquals("cancel requested for cli-res\n", run("cancel", "cli-res").out());
    long end = System.currentTimeMillis() + 10_000;
    while (state("cli-res") == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        && System.currentTimeMillis() < end) {
      Thread.onSpinWait();
    }
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED, state("cli-res"));
    String cancelled = run("status", "cli-res").out();
    assertTrue(cancelled.startsWith("run cli-res canceled\n"), cancelled);
    assertTrue(cancelled.contains("respond"), "the stages it had reached: " + cancelled);

    Result resumed = run("resume", "cli-res", "--data-root", dataRoot.toString());
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals("cli-res\n", resumed.out());
    assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, state("cli-res"));
    assertTrue(run("status", "cli-res").out().contains("round 1/2"));
    assertEquals("cancel requested for cli-res\n", run("cancel", "cli-res").out());
    end = System.currentTimeMillis() + 10_000;
    while (state("cli-res") == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        && System.currentTimeMillis() < end) {
      Thread.onSpinWait();
    }
    Result closed = run("cancel", "cli-res");
    assertEquals(1, closed.code(), "cancel of a closed run is an error");
    assertTrue(closed.err().startsWith("error: run 'cli-res' is not running (canceled): nothing to cancel"), closed.err());

    Path nowhere = dataRoot.resolveSibling("no-such-root");
    Result unknownRoot = run("resume", "never-ran", "--data-root", nowhere.toString());
    assertEquals(1, unknownRoot.code());
    assertTrue(unknownRoot.err().contains("does not exist, so it holds no run"), unknownRoot.err());
    assertFalse(Files.exists(nowhere), "resume creates no data root");

    Result noSpec = run("resume", "never-ran", "--data-root", dataRoot.toString());
    assertEquals(1, noSpec.code());
    assertTrue(noSpec.err().startsWith("error: no spec for run 'never-ran'"), noSpec.err());
  }

  @Test
  void unknownRunsAndUnreachableServersAreOneLineErrors() {
    Result unknown = run("status", "nobody");
    assertEquals(1, unknown.code());
    assertEquals("error: no run 'nobody' in namespace default at " + server.address() + "\n", unknown.err());
    assertEquals(1, run("pause", "nobody").code());

    CommandLine cl = Main.commandLine(() -> REGISTRAR);
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute("status", "x", "--address", "127.0.0.1:1");
    assertEquals(1, code);
    assertEquals(1, err.toString().lines().count(), err.toString());
    assertTrue(err.toString().startsWith("error: cannot reach Temporal at 127.0.0.1:1"), err.toString());

    StringWriter verboseErr = new StringWriter();
    CommandLine v = Main.commandLine(() -> REGISTRAR);
    v.setErr(new PrintWriter(verboseErr, true));
    v.execute("status", "x", "--address", "127.0.0.1:1", "--verbose");
    assertTrue(verboseErr.toString().contains("\tat selflengthen."), "stack trace with --verbose");
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    Result r = run("status");
    assertEquals(2, r.code());
    assertEquals("error: Missing required parameter: 'RUN' (see: selflengthen status --help)\n", r.err());
    assertEquals(2, run("start", "--rounds", "many").code());
  }

  @Test
  void workersSaysInOneLineThatTheEmbeddedServerCannotList() {
    Result r = run("workers");
    assertEquals(0, r.code(), r.err());
    assertEquals(WorkersCommand.UNSUPPORTED + "\n", r.out());
  }

  @Test
  void everyCommandDocumentsEveryOption() {
    List<String> undocumented = new ArrayList<>();
    List<CommandSpec> specs = new ArrayList<>();
    collect(Main.commandLine().getCommandSpec(), specs);
    assertTrue(specs.size() >= 12, "commands: " + specs.size());
    for (CommandSpec spec : specs) {
      for (OptionSpec o : spec.options()) {
        if (String.join("", o.description()).isBlank()) {
          undocumented.add(spec.qualifiedName() + " " + o.longestName());
        }
      }
      for (PositionalParamSpec p : spec.positionalParameters()) {
        if (String.join("", p.description()).isBlank()) {
          undocumented.add(spec.qualifiedName() + " " + p.paramLabel());
        }
      }
      String help = new CommandLine(spec).getUsageMessage();
      for (OptionSpec o : spec.options()) {
        assertTrue(help.contains(o.longestName()), spec.qualifiedName() + " --help lacks " + o.longestName());
      }
    }
    assertEquals(List.of(), undocumented);
  }

  private static void collect(CommandSpec spec, List<CommandSpec> into) {
    into.add(spec);
    spec.subcommands().values().forEach(c -> collect(c.getCommandSpec(), into));
  }
}
