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

  public DemoCommand(Supplier<WorkerRegistrar> registrar) {
    this.registrar = registrar;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String id = runId != null ? runId
        : "demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    DemoRun.Options options = new DemoRun.Options(dataRoot, id, port, slots, rebuildSeedModel,
        small ? DemoSeedModel.Settings.small() : DemoSeedModel.Settings.demo(),
        small ? DemoSpec.Scale.small() : DemoSpec.Scale.demo(), seed,
        Duration.ofMinutes(timeoutMinutes));
    DemoRun.Outcome outcome = new DemoRun(options, registrar.get(), out).run();
    return outcome.growth().achieved() ? 0 : 1;
  }
}
