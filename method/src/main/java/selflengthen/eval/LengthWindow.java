package selflengthen.eval;

import java.util.List;

/**
 * The word window [lower, upper] a LonGen constraint asks for, and the published score of a
 * response length against it: 1 inside; {@code max(2n/a - 1, 0)} below a; {@code max(3 - 2n/b, 0)}
 * above b. {@code nominal} is the length the constraint names (a range's midpoint), for plots.
 */
public record LengthWindow(ConstraintType type, double lower, double upper, double nominal) {

  public LengthWindow {
    if (!(lower > 0) || !(upper >= lower)) {
      throw new IllegalArgumentException("invalid window [" + lower + ", " + upper + "]");
    }
  }

  /**
   * The window of a constraint text: about N -> [0.8N, 1.2N]; range lo..hi -> [lo, hi]; above N ->
   * [N, 1.5N]; below N -> [0.5N, N]. Single-number types use the first number, as the reference
   * scorer does.
   *
   * @throws IllegalArgumentException when the text does not hold the numbers the type needs
   */
  public static LengthWindow of(ConstraintType type, String constraint) {
    List<ConstraintNumbers.Found> numbers = ConstraintNumbers.find(constraint);
    if (numbers.isEmpty()) {
      throw new IllegalArgumentException("holds no number: \"" + constraint + "\"");
    }
    for (ConstraintNumbers.Found number : numbers) {
      if (!(number.value() > 0)) {
        throw new IllegalArgumentException("holds a zero length: \"" + constraint + "\"");
      }
    }
    double n = numbers.get(0).value();
    return switch (type) {
      case ABOUT -> new LengthWindow(type, 0.8 * n, 1.2 * n, n);
      case ABOVE -> new LengthWindow(type, n, 1.5 * n, n);
      case BELOW -> new LengthWindow(type, 0.5 * n, n, n);
      case RANGE -> range(constraint, numbers);
    };
  }

  private static LengthWindow range(String constraint, List<ConstraintNumbers.Found> numbers) {
    if (numbers.size() < 2) {
      throw new IllegalArgumentException(
          "a range needs two numbers (e.g. \"2000-3000\"), got \"" + constraint + "\"");
    }
    ConstraintNumbers.Found first = numbers.get(0);
    ConstraintNumbers.Found second = numbers.get(1);
    double lo = first.value();
    double hi = second.value();
    // "2-4k" and "2至4千": the lower bound is written without the magnitude it shares.
    if (first.trailingMagnitude() == 1
        && second.trailingMagnitude() > 1
        && lo * second.trailingMagnitude() <= hi) {
      lo *= second.trailingMagnitude();
    }
    if (lo > hi) {
      throw new IllegalArgumentException(
          "range lower bound " + fmt(lo) + " is above upper bound " + fmt(hi) + ": \"" + constraint + "\"");
    }
    return new LengthWindow(ConstraintType.RANGE, lo, hi, (lo + hi) / 2);
  }

  /**
   * The score of eval/length_following_eval.py, with its operations in its order ({@code n / a * 2
   * - 1}, {@code 3 - n / b * 2}) so that every double agrees with the reference's.
   */
  public double score(int words) {
    if (words < lower) {
      return Math.max((double) words / lower * 2 - 1, 0);
    }
    if (words > upper) {
      return Math.max(3 - (double) words / upper * 2, 0);
    }
    return 1;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
