package selflengthen.eval;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The length-following benchmarks, by the names the CLI uses. */
public enum Benchmark {
  LONGEN("longen", new LonGen()),
  LONGBENCH_WRITE("longbench-write", new LongBenchWrite());

  private final String cliName;
  private final LengthBenchmark scorer;

  Benchmark(String cliName, LengthBenchmark scorer) {
    this.cliName = cliName;
    this.scorer = scorer;
  }

  public String cliName() {
    return cliName;
  }

  public LengthBenchmark scorer() {
    return scorer;
  }

  public static String cliNames() {
    return Arrays.stream(values()).map(Benchmark::cliName).collect(Collectors.joining(", "));
  }

  /** @throws IllegalArgumentException naming the accepted names */
  public static Benchmark fromCliName(String name) {
    for (Benchmark benchmark : values()) {
      if (benchmark.cliName.equalsIgnoreCase(name.strip())) {
        return benchmark;
      }
    }
    throw new IllegalArgumentException(
        "unknown benchmark format \"" + name + "\", expected one of " + cliNames());
  }
}
