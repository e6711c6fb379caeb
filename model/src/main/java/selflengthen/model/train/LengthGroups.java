package selflengthen.model.train;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a micro-batch into groups of similar length, so each group is padded only to its own
 * longest sample. A forward and backward pass costs about a fixed amount per group (the ops of every
 * layer), an amount per padded token, and for attention an amount per padded token times the
 * group's length; the split minimises that estimate over the samples in length order (an exact
 * dynamic programme: a micro-batch holds a handful of samples). The groups change no number the
 * trainer computes, only how much padding it computes over.
 */
final class LengthGroups {
  /** The fixed cost of one more group, in padded tokens (measured order: a pass over ~100 tokens). */
  static final double GROUP_COST_TOKENS = 96;
  /** The length at which attention costs as much per token as the rest of a layer. */
  static final double ATTENTION_EQUAL_LENGTH = 384;

  private LengthGroups() {}

  /** The groups, longest first; each keeps its samples' micro-batch order among equals. */
  static List<List<SftDataset.Sample>> of(List<SftDataset.Sample> samples) {
    int n = samples.size();
    if (n <= 1) {
      return List.of(samples);
    }
    List<SftDataset.Sample> sorted = new ArrayList<>(samples);
    sorted.sort(Comparator.comparingInt((SftDataset.Sample s) -> s.ids().length).reversed());
    // best[i]: least cost of grouping sorted[i..n); cut[i]: the end of the group starting at i.
    double[] best = new double[n + 1];
    int[] cut = new int[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      double longest = sorted.get(i).ids().length;
      best[i] = Double.MAX_VALUE;
      for (int j = i + 1; j <= n; j++) {
        double cost = cost(j - i, longest) + best[j];
        if (cost < best[i]) {
          best[i] = cost;
          cut[i] = j;
        }
      }
    }
    List<List<SftDataset.Sample>> groups = new ArrayList<>();
    for (int i = 0; i < n; i = cut[i]) {
      groups.add(List.copyOf(sorted.subList(i, cut[i])));
    }
    return groups;
  }

  static double cost(int samples, double length) {
    return GROUP_COST_TOKENS + samples * length * (1 + length / ATTENTION_EQUAL_LENGTH);
  }
}
