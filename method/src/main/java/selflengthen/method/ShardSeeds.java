package selflengthen.method;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Seeds derived from the run seed, so that a redone shard (a retried activity, a resumed run) draws
 * exactly the same random numbers as the first time.
 *
 * <p>A derived seed is the first 8 bytes (big-endian) of SHA-256 over a versioned, length-prefixed
 * encoding of its inputs. It is stable across JVMs, platforms and releases of this code (changing
 * the encoding would change every run's data, so the version tag must be bumped if it ever is),
 * and inputs such as ("ab", 1) and ("a", 11) cannot collide by concatenation.
 *
 * <p>Prefer {@link #sample} keyed by the global input row over {@link #shard}: a sample's seed then
 * does not depend on how the stage was cut into shards.
 */
public final class ShardSeeds {
  private static final byte[] DOMAIN = "selflengthen/seed/v1".getBytes(StandardCharsets.UTF_8);

  private ShardSeeds() {}

  /** The seed of one shard of a stage. */
  public static long shard(long runSeed, int round, String stage, int shardIndex) {
    return derive(runSeed, "shard", round, stage, shardIndex);
  }

  /**
   * The seed of one sample of a stage, keyed by its row in the stage's input (the shard's
   * {@code first_row} plus its position in the shard).
   */
  public static long sample(long runSeed, int round, String stage, long row) {
    return derive(runSeed, "sample", round, stage, row);
  }

  /**
   * The seed of one sample keyed by shard and position within the shard, for stages whose input
   * has no stable global row numbers.
   */
  public static long shardSample(long runSeed, int round, String stage, int shardIndex, long sampleIndex) {
    return child(shard(runSeed, round, stage, shardIndex), "sample", sampleIndex);
  }

  /**
   * A seed derived from another for one purpose and index, e.g. {@code child(sampleSeed, "try", 3)}
   * for the fourth try of a sample, or {@code child(sampleSeed, "drop-lines", 0)}.
   */
  public static long child(long seed, String purpose, long index) {
    return derive(seed, "child", 0, purpose, index);
  }

  /** A generator seeded with {@code seed}. */
  public static SplittableRandom random(long seed) {
    return new SplittableRandom(seed);
  }

  private static long derive(long seed, String kind, int round, String name, long index) {
    MessageDigest sha = sha256();
    byte[] kindBytes = kind.getBytes(StandardCharsets.UTF_8);
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer buf =
        ByteBuffer.allocate(4 + DOMAIN.length + 4 + kindBytes.length + 8 + 4 + 4 + nameBytes.length + 8);
    buf.putInt(DOMAIN.length).put(DOMAIN);
    buf.putInt(kindBytes.length).put(kindBytes);
    buf.putLong(seed);
    buf.putInt(round);
    buf.putInt(nameBytes.length).put(nameBytes);
    buf.putLong(index);
    return ByteBuffer.wrap(sha.digest(buf.array())).getLong();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
