package selflengthen.workers.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import selflengthen.activities.Stages;
import selflengthen.method.ShardSeeds;
import selflengthen.v1.RunSpec;

/**
 * Which respond sample (instruction row / sample index) a logged model call worked on, from its
 * seed: try t of sample s of row r is seeded child(child(sample(run seed, round, "respond", r),
 * "response", s), "try", t), so a seed names its unit whatever process made the call.
 */
final class RespondUnits {
  private RespondUnits() {}

  /** The "row/sample" key of a committed respond row (a JSON line). */
  static String key(String line) {
    try {
      var row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
      return row.path("row").asLong() + "/" + row.path("sample").asInt();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Seed -> "row/sample" of every try of every sample of the respond shard {@code callId}. */
  static Map<Long, String> unitsBySeed(RunSpec spec, String callId) {
    String[] p = callId.split("/");
    int round = Integer.parseInt(p[1].substring("round-".length()));
    int shard = Integer.parseInt(p[3].substring("shard-".length()));
    long size = spec.getParallelism().getShardSize();
    Map<Long, String> units = new HashMap<>();
    for (long row = shard * size; row < (shard + 1) * size; row++) {
      for (int s = 0; s < spec.getInitialResponses().getPerInstruction(); s++) {
        long unit = ShardSeeds.child(ShardSeeds.sample(spec.getSeed(), round, Stages.RESPOND, row), "response", s);
        for (int t = 0; t < spec.getInitialResponses().getMaxTries(); t++) {
          units.put(ShardSeeds.child(unit, "try", t), row + "/" + s);
        }
      }
    }
    return units;
  }

  /**
   * The samples of respond shard {@code callId} that calls in {@code first} began and calls in
   * {@code then} made again.
   */
  static Set<String> madeTwice(
      RunSpec spec, String callId, List<CallLoggingModels.Call> first, List<CallLoggingModels.Call> then) {
    Map<Long, String> units = unitsBySeed(spec, callId);
    Set<Long> before = new HashSet<>();
    for (CallLoggingModels.Call c : first) {
      if (c.callId().equals(callId)) {
        assertTrue(units.containsKey(c.seed()), "call seed " + c.seed() + " is no try of " + callId);
        before.add(c.seed());
      }
    }
    Set<String> twice = new HashSet<>();
    for (CallLoggingModels.Call c : then) {
      if (c.callId().equals(callId) && before.contains(c.seed())) {
        twice.add(units.get(c.seed()));
      }
    }
    return twice;
  }
}
