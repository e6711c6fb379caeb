package selflengthen.workers.demo;

import java.util.ArrayList;
import java.util.List;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;

/**
 * The demo's claim, checked on the run's own measurements: the Generator's mean words on held-out
 * tasks grows every round, and after the rounds it is at least {@link #REQUIRED_FACTOR} times the
 * seed model's.
 */
public record LengthGrowth(double seedMean, List<Double> roundMeans, boolean growsEveryRound,
    double finalFactor) {
  public static final double REQUIRED_FACTOR = 1.5;

  public static LengthGrowth of(RunResult result) {
    double seed = result.getSeedHeldOutLengths().getMeanWords();
    List<Double> means = new ArrayList<>();
    boolean grows = true;
    double previous = seed;
    for (RoundResult r : result.getRoundsList()) {
      double m = r.getHeldOutLengths().getMeanWords();
      means.add(m);
      grows &= m > previous;
      previous = m;
    }
    double factor = seed > 0 && !means.isEmpty() ? means.get(means.size() - 1) / seed : 0;
    return new LengthGrowth(seed, List.copyOf(means), grows, factor);
  }

  public boolean achieved() {
    return !roundMeans.isEmpty() && growsEveryRound && finalFactor >= REQUIRED_FACTOR;
  }

  public String verdict() {
    String figures = String.format("seed %.1f -> %s words (x%.2f)", seedMean,
        roundMeans.stream().map(m -> String.format("%.1f", m)).toList(), finalFactor);
    if (achieved()) {
      return "RESULT: held-out length grew every round and reached x" + String.format("%.2f", finalFactor)
          + " of the seed model (required x" + REQUIRED_FACTOR + "): " + figures;
    }
    return "RESULT: NOT ACHIEVED: " + (growsEveryRound ? "" : "held-out length did not grow every round; ")
        + (finalFactor >= REQUIRED_FACTOR ? "" : "final factor below x" + REQUIRED_FACTOR + "; ")
        + figures;
  }
}
