package selflengthen.eval;

import java.util.Map;

/**
 * LongBench-Write's quality score S_q: each of its six 1-5 ratings maps to {@code (rating - 1) *
 * 25} (0-100) and S_q is their average. Applied to mean ratings it gives the benchmark's S_q, since
 * the mapping is linear.
 */
public final class LongBenchWriteQuality {
  private LongBenchWriteQuality() {}

  public static double toHundred(double rating) {
    return (rating - 1) * 25;
  }

  /** @throws IllegalArgumentException when a dimension of the rubric is missing */
  public static double sq(Map<String, Double> ratings) {
    double sum = 0;
    for (String dimension : JudgeRubric.LONGBENCH_WRITE.dimensions()) {
      Double rating = ratings.get(dimension);
      if (rating == null) {
        throw new IllegalArgumentException("no rating for " + dimension + " in " + ratings);
      }
      sum += toHundred(rating);
    }
    return sum / JudgeRubric.LONGBENCH_WRITE.dimensions().size();
  }
}
