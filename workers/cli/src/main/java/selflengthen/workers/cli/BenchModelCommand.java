package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.bench.ModelBenchmark;

/**
 * {@code selflengthen bench model}: measures the machine's fp32 matmul ceiling and the engine's
 * prefill, decode (batch 1, 8, 32, with model-FLOPs utilisation), training throughput and memory,
 * on a freshly initialised preset model, and prints the figures as JSON.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
    description = "Benchmark the language-model engine on this machine; prints JSON.")
public final class BenchModelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--preset", paramLabel = "tiny|small", defaultValue = "small",
      description = "Model shape to benchmark (default ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--threads", paramLabel = "N", defaultValue = "2",
      description = "PyTorch intra-op threads.")
  int threads;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Where the model and training outputs go (default: a temporary directory,"
          + " deleted afterwards).")
  Path workDir;

  @Option(names = "--inference-only",
      description = "Measure the matmul ceiling, prefill and decode only: no memory stream, no"
          + " training (what tools/bench/compare-with-pytorch.sh repeats in each round).")
  boolean inferenceOnly;

  @Option(names = "--bf16",
      description = "Run the model's linear layers in bfloat16 (the engine option bf16; off by"
          + " default): weights and layer inputs rounded to bfloat16, float32 accumulation.")
  boolean bf16;

  @Override
  public Integer call() throws IOException {
    Path dir = workDir != null ? workDir : Files.createTempDirectory("selflengthen-bench");
    try {
      Map<String, Object> result = new ModelBenchmark(preset, dir, threads, inferenceOnly, bf16).run();
      spec.commandLine().getOut().println(
          new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(result));
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      if (workDir == null) {
        try (var walk = Files.walk(dir)) {
          for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.deleteIfExists(p);
          }
        }
      }
    }
  }
}
