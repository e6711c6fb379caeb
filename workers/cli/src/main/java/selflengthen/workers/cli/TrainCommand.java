package selflengthen.workers.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.model.external.LlamaFactoryTraining;

/**
 * {@code train}: this project's trainer behind LLaMA-Factory's command line, so {@code selflengthen
 * train {config}} can be a run's training.external_command (a drop-in for {@code llamafactory-cli
 * train {config}} on machines without Python).
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train what a LLaMA-Factory SFT config (YAML) describes with the in-process trainer:",
      "one {'loss': ...} line per step, checkpoint-N/ in output_dir, resume_from_checkpoint honoured."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:trained", "1:training failed", "2:usage error"})
public final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", paramLabel = "YAML", description = "The LLaMA-Factory config.")
  Path config;

  @Parameters(arity = "0..1", paramLabel = "YAML", description = "The config (as llamafactory-cli takes it).")
  Path positional;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  @Override
  public Integer call() {
    Path file = config != null ? config : positional;
    if (file == null || (config != null && positional != null)) {
      spec.commandLine().getErr().println("train: give the config once, as --config YAML or YAML");
      return CommandLine.ExitCode.USAGE;
    }
    System.setProperty("ai.djl.offline", "true");
    try {
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      LlamaFactoryTraining.run(file, device, out);
      return CommandLine.ExitCode.OK;
    } catch (IOException | RuntimeException e) {
      spec.commandLine().getErr().println("train: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
  }
}
