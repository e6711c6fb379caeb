package selflengthen.workers.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.demo.DemoRun;
import selflengthen.workers.demo.DemoSeedModel;
import selflengthen.workers.demo.DemoSpec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the whole Self-Lengthen method end to end in one JVM on a tiny seed model made by this"
          + " project: Temporal in memory on 127.0.0.1, every worker, a store under --data-root.",
      "Prints each round's figures and, last, whether the Generator's held-out answers grew every"
          + " round to at least 1.5x the seed model's, with fewer than half of the answers of any"
          + " measurement cut at the token budget (exit 0), or not (exit 1)."
    })
public final class DemoCommand implements Callable<Integer> {
  private final Supplier<WorkerRegistrar> registrar;

  @Spec CommandSpec spec;

  @Option(names = "--data-root", paramLabel = "DIR", defaultValue = "selflengthen-data",
      description = "Where the seed model, the run's data and the report go (default ${DEFAULT-VALUE}).")
  Path dataRoot;

  @Option(names = "--run-id", paramLabel = "ID",
      description = "Run id (default demo-<date>-<time>); an existing id continues that run.")
  String runId;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "7233",
      description = "Port of the in-memory Temporal server on 127.0.0.1 (0: any free; default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--slots", paramLabel = "N", defaultValue = "4",
      description = "Activities at once per queue (default ${DEFAULT-VALUE}).")
  int slots;

  @Option(names = "--rebuild-seed-model", description = "Pretrain the seed model again even if cached.")
  boolean rebuildSeedModel;

  @Option(names = "--small",
      description = "The smaller configuration the test suite runs (smaller corpus and rounds).")
  boolean small;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Run seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--timeout-minutes", paramLabel = "M", defaultValue = "60",
      description = "Give up after this long (default ${DEFAULT-VALUE}).")
  long timeoutMinutes;

  @Option(names = "--preference-bench",
      description = "After the run, compare seed model, SFT rounds, SFT + DPO (on the run's own"
          + " preference pairs, once after the last round) and AgentWrite on the held-out tasks with a"
          + " length constraint, and print the figures as JSON (what `bench preference` prints).")
  boolean preferenceBench;

  @Option(names = "--dpo-learning-rate", paramLabel = "LR", split = ",",
      description = "DPO's learning rate: with --dpo the run's (the first given), with --preference-bench one SFT + DPO variant each (default 5e-6).")
  java.util.List<Float> dpoLearningRates = new java.util.ArrayList<>();

  @Option(names = "--dpo",
      description = "Turn on the preference stage in the run: the round's preference sets and a DPO"
          + " step of the Generator after its SFT each round (training.preference, default lr 5e-6;"
          + " --dpo-learning-rate sets it).")
  boolean dpo;

  @Option(names = "--agentwrite",
      description = "Initial responses by AgentWrite (generation.mode GENERATION_MODE_AGENTWRITE).")
  boolean agentWrite;

  private selflengthen.v1.RunSpec specOptions(selflengthen.v1.RunSpec spec) {
    selflengthen.v1.RunSpec.Builder b = spec.toBuilder();
    if (dpo) {
      b.getTrainingBuilder().setPreference(selflengthen.v1.PreferenceMethod.PREFERENCE_METHOD_DPO);
      if (!dpoLearningRates.isEmpty()) {
        b.getTrainingBuilder().getDpoBuilder().setLearningRate(dpoLearningRates.get(0));
      }
    }
    if (agentWrite) {
      b.getGenerationBuilder().setMode(selflengthen.v1.GenerationMode.GENERATION_MODE_AGENTWRITE);
    }
    return b.build();
  }

  public DemoCommand(Supplier<WorkerRegistrar> registrar) {
    this.registrar = registrar;
  }

  @Override
  public Integer call() throws Exception {
    DpoOptionChecks.demo(dpoLearningRates, dpo, preferenceBench);
    PrintWriter out = spec.commandLine().getOut();
    String id = runId != null ? runId
        : "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    DemoRun.Options options = new DemoRun.Options(dataRoot, id, port, slots, rebuildSeedModel,
        small ? DemoSeedModel.Settings.small() : DemoSeedModel.Settings.demo(),
        small ? DemoSpec.Scale.small() : DemoSpec.Scale.demo(), seed,
        Duration.ofMinutes(timeoutMinutes), this::specOptions);
    DemoRun.Outcome outcome = new DemoRun(options, registrar.get(), out).run();
    if (preferenceBench) {
      out.println("== preference bench: seed, SFT rounds, SFT + DPO, AgentWrite ==");
      var figures = new selflengthen.workers.bench.PreferenceBenchmark(new selflengthen.workers.bench.PreferenceBenchmark.Options(
          dataRoot, id, dpoLearningRates, null, Integer.MAX_VALUE)).run();
      out.println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(figures));
      out.flush();
    }
    return outcome.growth().achieved() ? 0 : 1;
  }
}
