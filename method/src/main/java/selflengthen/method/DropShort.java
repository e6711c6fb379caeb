package selflengthen.method;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;
import java.util.random.RandomGenerator;

/**
 * Drop-short ({@code drop_short} of both utils.py): thins out the short end of a set of responses.
 *
 * <p>Length: the reference's {@code len()} of the text, in code points ({@link PyText#len}); a spec
 * may rank by words instead ({@code drop_short.rank_by_words}, ours).
 *
 * <p>Rank: of {@code n} items, an item with {@code below} items strictly shorter than it has rank
 * {@code r = 1 - below / n} (the reference's {@code 1 - sorted.index(length) / n}). The shortest
 * item has r = 1 and the longest distinct one r = 1/n; tied items share a rank, so ties never
 * depend on input order.
 *
 * <p>Survival: one {@code nextDouble()} is drawn per item, in input order, and the item is kept when
 * that draw is above {@code factor * r^exponent} (reference 2 and 3, as {@code random.random() > 2
 * * rank ** 3}): the shortest always go, an item of rank 0.5 stays with probability 0.75.
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
            spec.hasFactor() ? SpecFloats.decimal(spec.getFactor()) : REFERENCE_FACTOR,
            spec.hasExponent() ? SpecFloats.decimal(spec.getExponent()) : REFERENCE_EXPONENT));
  }

  /** {@code 1 - factor * r^exponent}, clipped to [0, 1]: the chance an item of this rank stays. */
  public double survivalProbability(double rank) {
    if (!(rank >= 0 && rank <= 1)) {
      throw new IllegalArgumentException("rank must be in [0, 1], got " + rank);
    }
    double p = 1 - factor * Math.pow(rank, exponent);
    return Math.max(0, Math.min(1, p));
  }

  /**
   * The draw an item of this rank must exceed to be kept: {@code factor * rank^exponent}, with the
   * power rounded as C's {@code pow} rounds it for Python (see {@link #power}).
   */
  public double threshold(double rank) {
    return factor * power(rank, exponent);
  }

  /** The length drop-short ranks a text by: Python's {@code len()}, in code points. */
  public static int length(String text) {
    return PyText.len(text);
  }

  /** The rank of every item (see the class comment), in input order. */
  public static double[] ranks(int[] lengths) {
    int n = lengths.length;
    int[] sorted = lengths.clone();
    Arrays.sort(sorted);
    double[] ranks = new double[n];
    for (int i = 0; i < n; i++) {
      int below = lowerBound(sorted, lengths[i]);
      ranks[i] = 1.0 - (double) below / n;
    }
    return ranks;
  }

  /** Which items survive, in input order; draws one double per item from {@code random}. */
  public boolean[] keep(int[] lengths, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    double[] draws = new double[lengths.length];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = random.nextDouble();
    }
    return keep(lengths, draws);
  }

  /** Which items survive, in input order, for the given draws (one per item, in [0, 1)). */
  public boolean[] keep(int[] lengths, double[] draws) {
    if (draws.length != lengths.length) {
      throw new IllegalArgumentException(
          "one draw per item: " + draws.length + " draws for " + lengths.length + " items");
    }
    double[] ranks = ranks(lengths);
    boolean[] keep = new boolean[lengths.length];
    for (int i = 0; i < lengths.length; i++) {
      keep[i] = draws[i] > threshold(ranks[i]);
    }
    return keep;
  }

  /** The surviving items, in input order. */
  public <T> List<T> apply(List<T> items, ToIntFunction<? super T> lengths, RandomGenerator random) {
    int[] counts = items.stream().mapToInt(lengths).toArray();
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

  /**
   * {@code base^exponent} as Python's float {@code **} gives it: a small whole exponent is
   * computed exactly and rounded once (what a correctly rounded C {@code pow} returns), anything
   * else with {@link Math#pow}.
   */
  static double power(double base, double exponent) {
    if (exponent == Math.rint(exponent) && exponent >= 0 && exponent <= 16 && Double.isFinite(base)) {
      return new BigDecimal(base).pow((int) exponent).doubleValue();
    }
    return Math.pow(base, exponent);
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
