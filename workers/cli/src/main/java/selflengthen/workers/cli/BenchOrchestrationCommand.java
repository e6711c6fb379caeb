package selflengthen.workers.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.workers.bench.OrchestrationBenchmark;

@Command(
    name = "orchestration",
    mixinStandardHelpOptions = true,
    description = {
      "Measure orchestration overhead: a one-round run of the real workflows on the embedded"
          + " in-memory Temporal (127.0.0.1, random port) with synthetic activities whose shards"
          + " take exactly --activity-ms, once per --slots value W (W activity slots per worker,"
          + " max_concurrent_shards = W), with each --queued-shards value side by side.",
      "Prints JSON: per W the ideal time (shards x activity-ms / W), the measured round time,"
          + " efficiency = ideal / measured, activities per second and the round's history events;"
          + " and the projected events of a 100k-sample round against Temporal's 51,200 limit."
          + " Progress goes to stderr."
    })
public final class BenchOrchestrationCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--shards", paramLabel = "N", defaultValue = "256",
      description = "Shards per round, spread over its four sharded stages (default ${DEFAULT-VALUE}).")
  int shards;

  @Option(names = "--slots", paramLabel = "W", split = ",", defaultValue = "1,4,16",
      description = "Activity slots to measure, comma-separated (default ${DEFAULT-VALUE}).")
  List<Integer> slots;

  @Option(names = "--activity-ms", paramLabel = "MS", defaultValue = "200",
      description = "Time each shard activity takes (default ${DEFAULT-VALUE}).")
  long activityMs;

  @Option(names = "--shard-size", paramLabel = "N",
      description = "Samples per shard, for the 100k projection (default: the spec default, 32).")
  Integer shardSize;

  @Option(names = "--queued-shards", paramLabel = "Q", split = ",", defaultValue = "0,W",
      description = "parallelism.queued_shards values to compare, comma-separated: shards scheduled"
          + " ahead of the W running ones; W = as many as the slots, a whole wave"
          + " (default ${DEFAULT-VALUE}).")
  List<String> queuedShards;

  @Option(names = "--warmup-rounds", paramLabel = "N",
      defaultValue = "" + OrchestrationBenchmark.DEFAULT_WARMUP_ROUNDS,
      description = "Untimed rounds of 1 ms shards run first, two at a time, so the JIT has compiled"
          + " the shard and stage-boundary paths before anything is timed; each result reports the"
          + " compile time left in it, jit_compile_ms (default ${DEFAULT-VALUE}, about 45 s).")
  int warmupRounds;

  @Override
  public Integer call() throws JsonProcessingException {
    OrchestrationBenchmark.Settings settings;
    try {
      settings = new OrchestrationBenchmark.Settings(shards, slots, activityMs,
          shardSize == null ? OrchestrationBenchmark.defaultShardSize() : shardSize,
          queuedShards.stream().map(OrchestrationBenchmark.QueueAhead::parse).toList(), warmupRounds);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    OrchestrationBenchmark.Report report =
        new OrchestrationBenchmark(settings, spec.commandLine().getErr()).run();
    spec.commandLine().getOut().println(json().writeValueAsString(report));
    spec.commandLine().getOut().flush();
    return 0;
  }

  static ObjectMapper json() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }
}
