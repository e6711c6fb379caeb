package selflengthen.activities;

import java.nio.charset.StandardCharsets;

/**
 * Per-call seeds derived from the run seed, so a retried or resumed call samples the same way and
 * two shards never share a stream. Pure and stable across JVMs (workflow code calls it).
 */
public final class Seeds {
  private Seeds() {}

  public static long derive(long runSeed, int round, String stage, int index) {
    long h = mix(runSeed);
    h = mix(h ^ round);
    for (byte b : stage.getBytes(StandardCharsets.UTF_8)) {
      h = mix(h ^ (b & 0xff));
    }
    return mix(h ^ index);
  }

  /** SplitMix64's finalizer: every input bit affects every output bit. */
  private static long mix(long z) {
    z += 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
