package selflengthen.workers.cli;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.spec.SeedLanguage;
import selflengthen.spec.SpecDefaults;
import selflengthen.spec.SpecFiles;
import selflengthen.spec.SpecValidator;
import selflengthen.v1.Language;
import selflengthen.v1.RunSpec;
import selflengthen.workers.TemporalConnection;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    description = {
      "Start a Self-Lengthen run and print its workflow id (the run id).",
      "The spec comes from --spec (YAML or JSON, field names as in spec.proto) with the flags below"
          + " on top; unset fields take the reference defaults. Relative file paths are made absolute"
          + " against the current directory; without data_root the run uses the workers' configured"
          + " data root. The spec is validated first: every problem is listed and nothing starts."
    })
public final class StartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Option(names = "--spec", paramLabel = "FILE", description = "Run spec file (.yaml, .yml or .json).")
  Path specFile;

  @Option(names = "--run-id", paramLabel = "ID", description = "Run name; also the workflow id.")
  String runId;

  @Option(names = "--data-root", paramLabel = "DIR", description = "Data store root (spec data_root).")
  String dataRoot;

  @Option(names = "--rounds", paramLabel = "N", description = "Rounds (reference 3).")
  Integer rounds;

  @Option(names = "--seed", paramLabel = "N", description = "Run seed (default 42).")
  Long seed;

  @Option(names = "--base-model", paramLabel = "DIR", description = "Seed chat model checkpoint directory.")
  String baseModel;

  @Option(names = "--seed-file", paramLabel = "FILE", description = "JSONL of seed instructions.")
  String seedFile;

  @Option(names = "--language", paramLabel = "en|zh", description = "Language profile (default en).")
  String language;

  @Option(names = "--instructions-per-round", paramLabel = "N", description = "New instructions per round (reference 5000).")
  Integer instructionsPerRound;

  @Option(names = "--shard-size", paramLabel = "N", description = "Samples per shard (default 32).")
  Integer shardSize;

  @Option(names = "--parallelism", paramLabel = "N", description = "Shards of a stage in flight at once (default 8).")
  Integer parallelism;

  @Option(names = "--dry-run", description = "Validate and print the resolved spec as JSON; start nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    RunSpec built = buildSpec();
    RunSpec resolved =
        SpecValidator.validate(
            LocalPaths.absolutize(SpecDefaults.resolve(SeedLanguage.apply(LocalPaths.absolutize(built)))));
    PrintWriter out = spec.commandLine().getOut();
    if (dryRun) {
      out.println(SpecFiles.toJson(resolved));
      return 0;
    }
    try (TemporalConnection conn = client.connect()) {
      out.println(start(conn, resolved));
      spec.commandLine().getErr().println(
          "started; data root: " + dataRootNote(built.getDataRoot(), resolved.getDataRoot())
              + "; watch it with: selflengthen status " + resolved.getRunId() + " --watch");
    }
    return 0;
  }

  /** Where the run's files go, said so that a relative root resolved here is not a surprise. */
  static String dataRootNote(String given, String resolved) {
    if (resolved.isEmpty()) {
      return "the workers' configured --data-root (the spec names none)";
    }
    return given.equals(resolved) ? resolved : resolved + " ('" + given + "' resolved against this directory)";
  }

  /** Starts a run on the control queue with workflow id = run id; returns that id. */
  static String start(TemporalConnection conn, RunSpec resolved) {
    SelfLengthenRun run =
        conn.client().newWorkflowStub(
            SelfLengthenRun.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(resolved.getRunId())
                .setTaskQueue(TaskQueues.CONTROL)
                .build());
    try {
      return WorkflowClient.start(run::run, resolved, null).getWorkflowId();
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw new CliException("run '" + resolved.getRunId() + "' is already running (see: selflengthen"
          + " status " + resolved.getRunId() + ")");
    }
  }

  RunSpec buildSpec() {
    notNegative("--rounds", rounds);
    notNegative("--instructions-per-round", instructionsPerRound);
    notNegative("--shard-size", shardSize);
    notNegative("--parallelism", parallelism);
    if (seed != null && seed < 0) {
      throw new CliException("--seed must be 0 or more (got " + seed + ")");
    }
    RunSpec.Builder b = specFile == null ? RunSpec.newBuilder() : SpecFiles.read(specFile).toBuilder();
    if (runId != null) {
      b.setRunId(runId);
    }
    if (dataRoot != null) {
      b.setDataRoot(dataRoot);
    }
    if (rounds != null) {
      b.setRounds(rounds);
    }
    if (seed != null) {
      b.setSeed(seed);
    }
    if (baseModel != null) {
      b.getModelsBuilder().setBaseModel(baseModel);
    }
    if (seedFile != null) {
      b.getSelfInstructBuilder().setSeedFile(seedFile);
    }
    if (language != null) {
      b.setLanguage(language(language));
    }
    if (instructionsPerRound != null) {
      b.getSelfInstructBuilder().setInstructionsPerRound(instructionsPerRound);
    }
    if (shardSize != null) {
      b.getParallelismBuilder().setShardSize(shardSize);
    }
    if (parallelism != null) {
      b.getParallelismBuilder().setMaxConcurrentShards(parallelism);
    }
    return b.build();
  }

  private static void notNegative(String option, Integer value) {
    if (value != null && value < 0) {
      throw new CliException(option + " must be 0 or more (got " + value + ")");
    }
  }

  static Language language(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "en", "language_en" -> Language.LANGUAGE_EN;
      case "zh", "language_zh" -> Language.LANGUAGE_ZH;
      default -> throw new CliException("--language: expected en or zh (got '" + text + "')");
    };
  }
}
