package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.workers.bench.PreferenceBenchmark;

/**
 * {@code selflengthen bench preference}: on a finished run (the demo's), the held-out tasks with a
 * length constraint answered by the seed model, each round's SFT Generator, the last Generator
 * after DPO on the run's own preference pairs, and AgentWrite with the seed model; prints JSON.
 */
@Command(name = "preference", mixinStandardHelpOptions = true,
    description = {"Seed model, SFT rounds, SFT + DPO and AgentWrite side by side on a finished run's"
        + " held-out tasks with a length constraint (LonGen's 'about N words' window); prints JSON with"
        + " mean words, length-following score, seconds and tokens of each, and the DPO step's cost.",
        "Writes the preference sets and the DPO adapter under runs/<run>/bench-preference/."})
public final class BenchPreferenceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--data-root", paramLabel = "DIR", defaultValue = "selflengthen-data",
      description = "The run's data root (default ${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--run-id", paramLabel = "ID", required = true,
      description = "A finished run (e.g. a demo run) with its rounds' extension output and adapters.")
  String runId;

  @Option(names = "--dpo-learning-rate", paramLabel = "LR", split = ",",
      description = "DPO's learning rate; several (comma-separated) give one SFT + DPO variant each"
          + " (default: the spec's training.dpo.learning_rate, 5e-6 unless set).")
  java.util.List<Float> dpoLearningRates = new java.util.ArrayList<>();

  @Option(names = "--dpo-epochs", paramLabel = "N",
      description = "DPO's epochs (default: the spec's training.dpo.epochs, 1 unless set).")
  Float dpoEpochs;

  @Option(names = "--max-tasks", paramLabel = "N", defaultValue = "16",
      description = "Held-out tasks to answer at most (default ${DEFAULT-VALUE}).")
  int maxTasks;

  @Override
  public Integer call() throws Exception {
    DpoOptionChecks.learningRates(dpoLearningRates);
    DpoOptionChecks.epochs(dpoEpochs);
    if (maxTasks < 1) {
      throw new CliException("--max-tasks must be at least 1 (got " + maxTasks + ")");
    }
    Map<String, Object> result = new PreferenceBenchmark(
        new PreferenceBenchmark.Options(dataRoot, runId, dpoLearningRates, dpoEpochs, maxTasks)).run();
    spec.commandLine().getOut().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
