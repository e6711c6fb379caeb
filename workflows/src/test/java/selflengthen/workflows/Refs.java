package selflengthen.workflows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.LengthStats;

/** Plausible references and length figures for the doubles (nothing is written). */
final class Refs {
  private Refs() {}

  static DatasetRef dataset(String path, long count) {
    return DatasetRef.newBuilder().setPath(path).setCount(count).setSha256(sha256(path + "#" + count)).build();
  }

  static LengthStats lengths(long count, double mean) {
    if (count == 0) {
      return LengthStats.getDefaultInstance();
    }
    return LengthStats.newBuilder()
        .setCount(count)
        .setMeanWords(mean)
        .setMedianWords(mean)
        .setMinWords(mean / 2)
        .setMaxWords(mean * 1.5)
        .build();
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** "run/round-1/respond/shard-3" -> "round-1/respond". */
  static String group(String callId) {
    String[] parts = callId.split("/");
    return parts[1] + "/" + parts[2];
  }

  static int round(String callId) {
    return Integer.parseInt(callId.split("/")[1].substring("round-".length()));
  }
}
