package selflengthen.method;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Drop-short (step 3 of a round): thins out the short end of a set of responses.
 *
 * <p>Rank: of {@code n} items, an item with {@code below} items strictly shorter than it has rank
 * {@code r = 1 - below / n}. The shortest item has r = 1 and the longest distinct one r = 1/n;
 * tied items share the rank of the first of them in ascending order (the shortest-side rank), as
 * the reference does, so ties never depend on input order.
 *
 * <p>Survival: an item of rank r is kept with probability {@code p(r) = 1 - factor * r^exponent},
 * clipped to [0, 1] (reference factor 2, exponent 3: p(1) = -1, so the shortest always go, and
 * p(0.5) = 0.75). One {@code nextDouble()} is drawn per item, in input order, and the item is kept
 * when that draw is below p(r).
 */
public final class DropShort {
  public static final double REFERENCE_FACTOR = 2.0;
  public static final double REFERENCE_EXPONENT = 3.0;

  private final double factor;
  private final double exponent;

  /** @throws IllegalArgumentException if factor or exponent is negative or not finite */
  public DropShort(double factor, double exponent) {
    if (!(factor >= 0) || Double.isInfinite(factor) || !(exponent >= 0) || Double.isInfinite(exponent)) {
      throw new IllegalArgumentException(
          "factor and exponent must be finite and >= 0, got " + factor + ", " + exponent);
    }
    this.factor = factor;
    this.exponent = exponent;
  }

  /** The reference rule: {@code 1 - 2 r^3}. */
  public static DropShort reference() {
    return new DropShort(REFERENCE_FACTOR, REFERENCE_EXPONENT);
  }

  /**
   * The rule of a spec, reference values for unset fields; empty when {@code enabled} is set to
   * false (then nothing is dropped).
   */
  public static Optional<DropShort> of(selflengthen.v1.DropShort spec) {
    if (spec.hasEnabled() && !spec.getEnabled()) {
      return Optional.empty();
    }
    return Optional.of(
        new DropShort(
            spec.hasFactor() ? spec.getFactor() : REFERENCE_FACTOR,
            spec.hasExponent() ? spec.getExponent() : REFERENCE_EXPONENT));
  }

  /** {@code 1 - factor * r^exponent}, clipped to [0, 1]. */
  public double survivalProbability(double rank) {
    if (!(rank >= 0 && rank <= 1)) {
      throw new IllegalArgumentException("rank must be in [0, 1], got " + rank);
    }
    double p = 1 - factor * Math.pow(rank, exponent);
    return Math.max(0, Math.min(1, p));
  }

  /** The rank of every item (see the class comment), in input order. */
  public static double[] ranks(int[] words) {
    int n = words.length;
    int[] sorted = words.clone();
    Arrays.sort(sorted);
    double[] ranks = new double[n];
    for (int i = 0; i < n; i++) {
      int below = lowerBound(sorted, words[i]);
      ranks[i] = 1.0 - (double) below / n;
    }
    return ranks;
  }

  /** Which items survive, in input order; draws one double per item from {@code random}. */
  public boolean[] keep(int[] words, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    double[] ranks = ranks(words);
    boolean[] keep = new boolean[words.length];
    for (int i = 0; i < words.length; i++) {
      keep[i] = random.nextDouble() < survivalProbability(ranks[i]);
    }
    return keep;
  }

  /** The surviving items, in input order. */
  public <T> List<T> apply(List<T> items, ToIntFunction<? super T> words, RandomGenerator random) {
    int[] counts = items.stream().mapToInt(words).toArray();
    boolean[] keep = keep(counts, random);
    List<T> kept = new ArrayList<>();
    for (int i = 0; i < keep.length; i++) {
      if (keep[i]) {
        kept.add(items.get(i));
      }
    }
    return kept;
  }

  public double factor() {
    return factor;
  }

  public double exponent() {
    return exponent;
  }

  private static int lowerBound(int[] sorted, int value) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
