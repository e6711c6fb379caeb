package selflengthen.workers.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.eval.Benchmark;
import selflengthen.eval.EvalInputException;
import selflengthen.eval.EvalReport;
import selflengthen.eval.LengthEvaluation;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.ScoreBreakdown;

/**
 * {@code eval}: length-following scores of LonGen or LongBench-Write answers. With {@code
 * --responses} it scores answers produced elsewhere and writes the reports; generating the answers
 * ({@code --model} / {@code --endpoint}) belongs to the worker pool and is refused until wired.
 */
@Command(
    name = "eval",
    description = {
      "Score length following on LonGen or LongBench-Write.",
      "With --responses, scores answers produced elsewhere (one 'response' field per benchmark row) and "
          + "writes <name>.eval.json, <name>.eval.md, <name>.eval-rows.jsonl and PNG plots."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:scored", "1:unreadable or malformed input, or reports not written", "2:usage error"})
public final class EvalCommand implements Callable<Integer> {
  static final String GENERATION_NOT_WIRED =
      "eval: generating answers (--model/--endpoint) needs a worker pool and is not wired yet; "
          + "score answers produced elsewhere with --responses FILE";

  @Spec CommandSpec spec;

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
      description = "Where the reports go (default: the folder of --responses).")
  Path out;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "Generate the answers with this checkpoint first (needs a worker pool: not wired yet).")
  Path model;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "Generate the answers with this OpenAI-compatible server first (not wired yet).")
  String endpoint;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    if (model != null || endpoint != null) {
      err.println(GENERATION_NOT_WIRED);
      return CommandLine.ExitCode.USAGE;
    }
    if (format == null) {
      err.println("eval: give --format " + String.join("|", benchmarkNames()));
      return CommandLine.ExitCode.USAGE;
    }
    if (responses == null) {
      err.println("eval: give --responses FILE (the benchmark rows with a 'response' field each)");
      return CommandLine.ExitCode.USAGE;
    }
    Path outDir = out != null ? out : parentOf(responses);
    try {
      LengthEvaluation.Result result = LengthEvaluation.scoreResponses(format, responses);
      EvalReport.Written written = EvalReport.write(result, outDir, EvalReport.stemOf(responses));
      printSummary(stdout, written);
      return CommandLine.ExitCode.OK;
    } catch (EvalInputException e) {
      err.println("eval: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    } catch (IOException e) {
      err.println("eval: cannot write the reports to " + outDir + ": " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
  }

  private static List<String> benchmarkNames() {
    return Arrays.stream(Benchmark.values()).map(Benchmark::cliName).toList();
  }

  private static Path parentOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    return parent != null ? parent : Path.of(".");
  }

  private void printSummary(PrintWriter stdout, EvalReport.Written written) {
    LengthEvalSummary summary = written.summary();
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
    stdout.println("  report: " + written.markdown() + " (json: " + written.json().getFileName() + ")");
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
