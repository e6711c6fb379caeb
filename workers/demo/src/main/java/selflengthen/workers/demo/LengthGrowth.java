package selflengthen.workers.demo;

import java.util.ArrayList;
import java.util.List;
import selflengthen.v1.LengthStats;
import selflengthen.v1.RoundResult;
import selflengthen.v1.RunResult;

/**
 * The demo's claim, checked on the run's own measurements: the Generator's mean words on held-out
 * tasks grows every round, after the rounds it is at least {@link #REQUIRED_FACTOR} times the seed
 * model's, and in every measurement fewer than half of the answers hit the token budget. The last
 * condition keeps the growth honest: an answer cut at the budget has the budget's length, not one
 * the model chose, so a mean made mostly of cut answers would measure the budget.
 */
public record LengthGrowth(double seedMean, List<Double> roundMeans, boolean growsEveryRound,
    double finalFactor, List<Long> capped, List<Long> counts) {
  public static final double REQUIRED_FACTOR = 1.5;

  public static LengthGrowth of(RunResult result) {
    LengthStats seedStats = result.getSeedHeldOutLengths();
    double seed = seedStats.getMeanWords();
    List<Double> means = new ArrayList<>();
    List<Long> capped = new ArrayList<>(List.of(seedStats.getCapped()));
    List<Long> counts = new ArrayList<>(List.of(seedStats.getCount()));
    boolean grows = true;
    double previous = seed;
    for (RoundResult r : result.getRoundsList()) {
      double m = r.getHeldOutLengths().getMeanWords();
      means.add(m);
      capped.add(r.getHeldOutLengths().getCapped());
      counts.add(r.getHeldOutLengths().getCount());
      grows &= m > previous;
      previous = m;
    }
    double factor = seed > 0 && !means.isEmpty() ? means.get(means.size() - 1) / seed : 0;
    return new LengthGrowth(seed, List.copyOf(means), grows, factor, List.copyOf(capped),
        List.copyOf(counts));
  }

  /** True when, in every measurement (seed first), fewer than half of the answers were cut. */
  public boolean cappedAreAMinority() {
    for (int i = 0; i < capped.size(); i++) {
      if (2 * capped.get(i) >= counts.get(i)) {
        return false;
      }
    }
    return true;
  }

  public boolean achieved() {
    return !roundMeans.isEmpty() && growsEveryRound && finalFactor >= REQUIRED_FACTOR
        && cappedAreAMinority();
  }

  public String verdict() {
    List<String> cut = new ArrayList<>();
    for (int i = 0; i < capped.size(); i++) {
      cut.add(capped.get(i) + "/" + counts.get(i));
    }
    String figures = String.format("seed %.1f -> %s words (x%.2f); answers cut at the token budget"
        + " (seed, rounds): %s", seedMean,
        roundMeans.stream().map(m -> String.format("%.1f", m)).toList(), finalFactor, cut);
    if (achieved()) {
      return "RESULT: held-out length grew every round and reached x" + String.format("%.2f", finalFactor)
          + " of the seed model (required x" + REQUIRED_FACTOR + "), most answers ending by"
          + " themselves: " + figures;
    }
    return "RESULT: NOT ACHIEVED: " + (growsEveryRound ? "" : "held-out length did not grow every round; ")
        + (finalFactor >= REQUIRED_FACTOR ? "" : "final factor below x" + REQUIRED_FACTOR + "; ")
        + (cappedAreAMinority() ? "" : "half or more of the answers of a measurement hit the token budget; ")
        + figures;
  }
}
