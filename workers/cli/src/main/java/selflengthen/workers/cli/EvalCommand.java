package selflengthen.workers.cli;

import io.temporal.client.WorkflowException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.activities.eval.EvalSpecs;
import selflengthen.eval.Benchmark;
import selflengthen.eval.EvalInputException;
import selflengthen.eval.EvalReport;
import selflengthen.eval.JudgeRubric;
import selflengthen.eval.LengthEvaluation;
import selflengthen.spec.SpecValidationException;
import selflengthen.store.DataStore;
import selflengthen.v1.EvalResult;
import selflengthen.v1.EvalScores;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.ModelRef;
import selflengthen.v1.QualitySummary;
import selflengthen.v1.RunSpec;
import selflengthen.v1.ScoreBreakdown;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.registrar.SelfLengthenRegistrar;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.eval.EvalGeneration;

/**
 * {@code eval}: length-following scores of LonGen or LongBench-Write answers. With {@code
 * --responses} it scores answers produced elsewhere and writes the reports next to them. With
 * {@code --model} or {@code --endpoint} and {@code --dataset} it first has the model answer the
 * benchmark, as a {@code SelfLengthenEval} workflow sharded over the inference workers: against the
 * cluster at {@code --address}, or (without it) in this process on Temporal's in-memory server. The
 * answers and the report go into the data store; running the same command again continues where
 * it stopped.
 */
@Command(
    name = "eval",
    description = {
      "Score length following on LonGen or LongBench-Write.",
      "With --responses, scores answers produced elsewhere (one 'response' field per benchmark row) and "
          + "writes <name>.eval.json, <name>.eval.md, <name>.eval-rows.jsonl and PNG plots.",
      "With --model DIR or --endpoint URL and --dataset FILE, the model answers the benchmark first "
          + "(sharded over the worker pool, resumable), optionally rated by a judge (--judge-model or "
          + "--judge-endpoint); answers and report go to <data-root>/runs/<eval-id>/round-0/eval/. "
          + "With --address (or env SELFLENGTHEN_ADDRESS) the cluster's workers do the work; otherwise "
          + "this process runs Temporal in memory and the workers itself."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:scored", "1:unreadable or malformed input, a failed evaluation, or reports not written",
        "2:usage error"})
public final class EvalCommand implements Callable<Integer> {
  private final Supplier<WorkerRegistrar> registrar;

  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--format",
      paramLabel = "longen|longbench-write",
      converter = BenchmarkConverter.class,
      description = "Benchmark whose rows and scoring apply (required).")
  Benchmark format;

  @Option(
      names = "--responses",
      paramLabel = "FILE",
      description = "JSONL of benchmark rows, each with the model's answer in 'response'.")
  Path responses;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where the reports of --responses go (default: the folder of --responses).")
  Path out;

  @Option(names = "--model", paramLabel = "DIR",
      description = "Generate the answers with this checkpoint (Hugging Face directory), in process on the workers.")
  Path model;

  @Option(names = "--endpoint", paramLabel = "URL",
      description = "Generate the answers with this OpenAI-compatible server (e.g. http://127.0.0.1:8000/v1).")
  String endpoint;

  @Option(names = "--model-name", paramLabel = "NAME",
      description = "Model (or adapter) name at --endpoint (required with it).")
  String modelName;

  @Option(names = "--endpoint-api-key-env", paramLabel = "VAR",
      description = "Environment variable holding --endpoint's API key (on the workers).")
  String endpointApiKeyEnv;

  @Option(names = "--adapter", paramLabel = "DIR",
      description = "PEFT adapter on top of --model (absolute, or relative to the data root).")
  String adapter;

  @Option(names = "--dataset", paramLabel = "FILE", description = "The benchmark JSONL the model answers.")
  Path dataset;

  @Option(names = "--judge-model", paramLabel = "DIR",
      description = "Rate every answer with this checkpoint as the quality judge.")
  Path judgeModel;

  @Option(names = "--judge-endpoint", paramLabel = "URL",
      description = "Rate every answer with this OpenAI-compatible server as the quality judge.")
  String judgeEndpoint;

  @Option(names = "--judge-model-name", paramLabel = "NAME", description = "Model name at --judge-endpoint.")
  String judgeModelName;

  @Option(names = "--eval-id", paramLabel = "ID",
      description = "Name of the evaluation: its workflow id and store folder (default: eval-<format>-<dataset>-<hash"
          + " of dataset, model, adapter and judge>, so the same command resumes the same evaluation).")
  String evalId;

  @Mixin DataRootOption dataRoot;

  @Option(names = "--shard-size", paramLabel = "N", description = "Benchmark rows per shard (default 32).")
  Integer shardSize;

  @Option(names = "--parallelism", paramLabel = "N", description = "Shards in flight at once (default 8).")
  Integer parallelism;

  @Option(names = "--max-new-tokens", paramLabel = "N", description = "Token budget of an answer (default 16384).")
  Integer maxNewTokens;

  @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default 0.7; 0 = greedy).")
  Float temperature;

  @Option(names = "--max-batch-size", paramLabel = "N", description = "In-process engine batch (default 16).")
  Integer maxBatchSize;

  @Option(names = "--seed", paramLabel = "N", description = "Sampling seed (default 42).")
  Long seed;

  @Option(names = "--slots", paramLabel = "N", defaultValue = "2",
      description = "Without --address: activities at once per queue in this process (default ${DEFAULT-VALUE}).")
  int slots;

  public EvalCommand(Supplier<WorkerRegistrar> registrar) {
    this.registrar = registrar;
  }

  public EvalCommand() {
    this(SelfLengthenRegistrar::new);
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    if (format == null) {
      err.println("eval: give --format " + String.join("|", benchmarkNames()));
      return CommandLine.ExitCode.USAGE;
    }
    boolean generate = model != null || endpoint != null;
    if (generate) {
      return generate(stdout, err);
    }
    if (responses == null) {
      err.println("eval: give --responses FILE (the benchmark rows with a 'response' field each), or "
          + "--model DIR|--endpoint URL with --dataset FILE to generate them");
      return CommandLine.ExitCode.USAGE;
    }
    if (dataset != null) {
      err.println("eval: --dataset goes with --model or --endpoint (with --responses the rows carry their answers)");
      return CommandLine.ExitCode.USAGE;
    }
    Path outDir = out != null ? out : parentOf(responses);
    try {
      LengthEvaluation.Result result = LengthEvaluation.scoreResponses(format, responses);
      EvalReport.Written written = EvalReport.write(result, outDir, EvalReport.stemOf(responses));
      printSummary(stdout, written.summary(), null);
      stdout.println("  report: " + written.markdown() + " (json: " + written.json().getFileName() + ")");
      stdout.flush();
      return CommandLine.ExitCode.OK;
    } catch (EvalInputException e) {
      err.println("eval: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    } catch (IOException e) {
      err.println("eval: cannot write the reports to " + outDir + ": " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
  }

  private int generate(PrintWriter stdout, PrintWriter err) throws InterruptedException {
    String usage = generationUsageProblem();
    if (usage != null) {
      err.println("eval: " + usage);
      return CommandLine.ExitCode.USAGE;
    }
    RunSpec resolved;
    try {
      resolved = EvalSpecs.validate(buildSpec());
    } catch (SpecValidationException e) {
      err.println("eval: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    EvalGeneration generation = new EvalGeneration(stdout);
    EvalResult result;
    try {
      if (useCluster()) {
        try (TemporalConnection conn = client.connect()) {
          stdout.println("eval " + resolved.getRunId() + ": on the cluster at " + conn.address()
              + " (its workers need the data root " + resolved.getDataRoot() + ")");
          result = generation.run(conn.client(), resolved);
        }
      } else {
        DataStore store = DataStore.open(Path.of(resolved.getDataRoot()));
        result = generation.runEmbedded(resolved, store, registrar.get(), slots);
      }
    } catch (WorkflowException e) {
      err.println("eval " + resolved.getRunId() + " failed: " + Errors.oneLine(e));
      return CommandLine.ExitCode.SOFTWARE;
    }
    EvalScores scores = result.getScores();
    String skipped = result.getStage().getSkipped() ? " (every answer was already in the store)" : "";
    stdout.println("eval " + result.getEvalId() + ": " + result.getStage().getSamplesOut() + " answers" + skipped);
    printSummary(stdout, scores.getLength(), scores.hasQuality() ? scores.getQuality() : null);
    Path root = Path.of(resolved.getDataRoot());
    stdout.println("  answers: " + root.resolve(scores.getResponses().getPath()));
    for (String f : scores.getReportFilesList()) {
      if (f.endsWith(".md")) {
        stdout.println("  report: " + root.resolve(f));
      }
    }
    stdout.flush();
    return CommandLine.ExitCode.OK;
  }

  private String generationUsageProblem() {
    if (model != null && endpoint != null) {
      return "give one of --model and --endpoint";
    }
    if (responses != null) {
      return "--responses scores given answers: it does not go with --model or --endpoint";
    }
    if (dataset == null) {
      return "give --dataset FILE: the benchmark rows the model answers";
    }
    if (out != null) {
      return "--out is for --responses; a generated evaluation reports into the data store";
    }
    if (judgeModel != null && judgeEndpoint != null) {
      return "give one of --judge-model and --judge-endpoint";
    }
    if (slots < 1) {
      return "--slots must be at least 1 (got " + slots + ")";
    }
    return null;
  }

  /** A cluster when the user named one (option or environment); else this process. */
  private boolean useCluster() {
    boolean given = spec.commandLine().getParseResult().hasMatchedOption("--address");
    String env = System.getenv("SELFLENGTHEN_ADDRESS");
    return given || (env != null && !env.isBlank());
  }

  RunSpec buildSpec() {
    RunSpec.Builder b = RunSpec.newBuilder().setDataRoot(dataRoot.dataRoot().toAbsolutePath().normalize().toString());
    ModelRef.Builder generator = ModelRef.newBuilder();
    if (model != null) {
      generator.setPath(model.toAbsolutePath().normalize().toString());
    } else {
      generator.setEndpoint(endpoint);
      if (modelName != null) {
        generator.setModelName(modelName);
      }
      if (endpointApiKeyEnv != null) {
        generator.setApiKeyEnv(endpointApiKeyEnv);
      }
    }
    if (adapter != null) {
      Path a = Path.of(adapter);
      generator.setAdapter(a.isAbsolute() ? a.normalize().toString() : adapter);
    }
    b.getModelsBuilder().setGenerator(generator);
    if (maxBatchSize != null) {
      b.getModelsBuilder().setMaxBatchSize(maxBatchSize);
    }
    boolean judged = judgeModel != null || judgeEndpoint != null;
    if (judgeModel != null) {
      b.getModelsBuilder().setJudge(ModelRef.newBuilder().setPath(judgeModel.toAbsolutePath().normalize().toString()));
    } else if (judgeEndpoint != null) {
      ModelRef.Builder judge = ModelRef.newBuilder().setEndpoint(judgeEndpoint);
      if (judgeModelName != null) {
        judge.setModelName(judgeModelName);
      }
      if (endpointApiKeyEnv != null) {
        judge.setApiKeyEnv(endpointApiKeyEnv);
      }
      b.getModelsBuilder().setJudge(judge);
    }
    b.getEvaluationBuilder()
        .setDataset(dataset.toAbsolutePath().normalize().toString())
        .setFormat(format.cliName())
        .setJudge(judged);
    if (maxNewTokens != null) {
      b.getEvaluationBuilder().getSamplingBuilder().setMaxNewTokens(maxNewTokens);
    }
    if (temperature != null) {
      b.getEvaluationBuilder().getSamplingBuilder().setTemperature(temperature);
    }
    if (shardSize != null) {
      b.getParallelismBuilder().setShardSize(shardSize);
    }
    if (parallelism != null) {
      b.getParallelismBuilder().setMaxConcurrentShards(parallelism);
    }
    if (seed != null) {
      b.setSeed(seed);
    }
    b.setRunId(evalId != null ? evalId : defaultEvalId(b));
    return b.build();
  }

  /** Same benchmark file, model, adapter and judge: same id, so the command resumes its evaluation. */
  static String defaultEvalId(RunSpec.Builder b) {
    var e = b.getEvaluation();
    var g = b.getModels().getGenerator();
    var j = b.getModels().getJudge();
    String key = String.join("\n", e.getFormat(), e.getDataset(), g.getPath(), g.getEndpoint(), g.getModelName(),
        g.getAdapter(), j.getPath(), j.getEndpoint(), j.getModelName());
    String stem = EvalReport.stemOf(Path.of(e.getDataset())).replaceAll("[^A-Za-z0-9._-]", "_");
    if (stem.length() > 60) {
      stem = stem.substring(0, 60);
    }
    return "eval-" + e.getFormat() + "-" + stem + "-" + sha256(key).substring(0, 10);
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  private static List<String> benchmarkNames() {
    return Arrays.stream(Benchmark.values()).map(Benchmark::cliName).toList();
  }

  private static Path parentOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent != null ? parent : Path.of(".");
  }

  private void printSummary(PrintWriter stdout, LengthEvalSummary summary, QualitySummary quality) {
    String scale = summary.getScale();
    stdout.printf(
        Locale.ROOT,
        "%s: %d responses, overall length score %s (scale %s; mean %.0f words produced for %.0f required)%n",
        format.scorer().title(),
        summary.getCount(),
        EvalReport.format(summary.getOverall(), scale),
        scale,
        summary.getMeanProducedWords(),
        summary.getMeanRequiredWords());
    for (ScoreBreakdown breakdown : summary.getBreakdownsList()) {
      stdout.println(
          "  by "
              + breakdown.getBy()
              + ": "
              + breakdown.getGroupsList().stream()
                  .map(g -> g.getKey() + " " + EvalReport.format(g.getMean(), scale) + " (" + g.getCount() + ")")
                  .collect(Collectors.joining(", ")));
    }
    if (quality != null) {
      stdout.printf(Locale.ROOT, "  quality (judge, %s): %d rated, %d failed, mean %.2f%s%n", quality.getRubric(),
          quality.getScored(), quality.getFailed(), quality.getOverall(),
          quality.getRubric().equals(JudgeRubric.LONGBENCH_WRITE.name())
              ? String.format(Locale.ROOT, ", S_q %.2f", quality.getLongbenchWriteSq()) : "");
      stdout.println("    " + quality.getByDimensionList().stream()
          .map(g -> String.format(Locale.ROOT, "%s %.2f", g.getKey(), g.getMean()))
          .collect(Collectors.joining(", ")));
    }
    stdout.flush();
  }

  /** Accepts the CLI names "longen" and "longbench-write". */
  static final class BenchmarkConverter implements CommandLine.ITypeConverter<Benchmark> {
    @Override
    public Benchmark convert(String value) {
      try {
        return Benchmark.fromCliName(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
