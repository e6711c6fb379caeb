package selflengthen.activities.support;

import java.util.Arrays;
import selflengthen.v1.LengthStats;

/** Length figures (count, mean, median, min, max) of a set of word counts. */
public final class Lengths {
  private Lengths() {}

  public static LengthStats of(int[] words) {
    if (words.length == 0) {
      return LengthStats.getDefaultInstance();
    }
    int[] sorted = words.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    long sum = 0;
    for (int w : sorted) {
      sum += w;
    }
    return LengthStats.newBuilder()
        .setCount(n)
        .setMeanWords((double) sum / n)
        .setMedianWords(median)
        .setMinWords(sorted[0])
        .setMaxWords(sorted[n - 1])
        .build();
  }

  public static LengthStats of(java.util.List<Integer> words) {
    return of(words.stream().mapToInt(Integer::intValue).toArray());
  }
}
