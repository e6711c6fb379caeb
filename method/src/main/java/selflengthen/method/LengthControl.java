package selflengthen.method;

import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The numbers of length control after the rounds, as {@code eval/add_length_control.py} makes them:
 * responses of a usable length get a length requirement they meet.
 *
 * <p>For a response of {@code w} words ({@link WordCount#selfLengthen}, the reference's
 * {@code count_words}), with the reference settings:
 *
 * <ol>
 *   <li>Kept only when {@code minWords <= w < maxWords} (2000 and 8000).
 *   <li>Rounding unit {@code u}: {@code 2 x roundTo} when the unit draw is below {@code shareCoarse},
 *       else {@code roundTo} (2000 w.p. 0.2, else 1000).
 *   <li>{@code N = round(w / u) x u} with Python's {@code round} (halves to even: 2500 -> 2000,
 *       3500 -> 4000), {@code lo = floor(w / u) x u} raised to at least minWords, {@code hi =
 *       ceil(w / u) x u} lowered to at most maxWords. (N is clamped to [minWords, maxWords] too,
 *       which never changes it under the reference settings.)
 *   <li>Type, by the type draw against the cumulative shares (about 0.40, range 0.25, above 0.10,
 *       below 0.25, normalised to sum 1): about N; range lo-hi (lo == hi when w is a multiple of
 *       u, as in the reference; {@code widen_equal_range} widens it, ours); above lo; below hi.
 *       For Chinese the reference writes its third type as "小于{lo}" and its fourth as "大于{hi}"
 *       (less than lo, more than hi: requirements its own response breaks); here both languages
 *       use above lo / below hi, which fixes that swap.
 * </ol>
 *
 * <p>Each kept row takes three draws in the reference's order ({@link Draws#next}): unit, Chinese
 * numerals (the reference draws it for every row, whatever its language), type. Rows outside the
 * length window take none. The pure functions take the draws as arguments.
 */
public final class LengthControl {

  /** Parameters; see the class comment. */
  public record Settings(
      int minWords,
      int maxWords,
      double shareAbout,
      double shareRange,
      double shareAbove,
      double shareBelow,
      int roundTo,
      double shareCoarse,
      boolean widenEqualRange) {
    public Settings {
      if (minWords <= 0 || maxWords <= minWords) {
        throw new IllegalArgumentException(
            "need 0 < minWords < maxWords, got " + minWords + ", " + maxWords);
      }
      if (roundTo <= 0) {
        throw new IllegalArgumentException("roundTo must be positive, got " + roundTo);
      }
      if (!(shareAbout >= 0 && shareRange >= 0 && shareAbove >= 0 && shareBelow >= 0)
          || !(shareAbout + shareRange + shareAbove + shareBelow > 0)) {
        throw new IllegalArgumentException("type shares must be >= 0 with a positive sum");
      }
      if (!(shareCoarse >= 0 && shareCoarse <= 1)) {
        throw new IllegalArgumentException("shareCoarse must be in [0, 1], got " + shareCoarse);
      }
    }

    /** Settings without range widening (the reference's behaviour). */
    public Settings(
        int minWords,
        int maxWords,
        double shareAbout,
        double shareRange,
        double shareAbove,
        double shareBelow,
        int roundTo,
        double shareCoarse) {
      this(minWords, maxWords, shareAbout, shareRange, shareAbove, shareBelow, roundTo, shareCoarse, false);
    }

    /** The reference: 2000-8000 words, 40/25/10/25, round to 1000, 20% to 2000. */
    public static Settings reference() {
      return new Settings(2000, 8000, 0.4, 0.25, 0.1, 0.25, 1000, 0.2, false);
    }

    /**
     * A spec's settings, reference values for unset fields. {@code share_floor} is read as the
     * share of rows rounded to twice {@code round_to} (see the class comment).
     */
    public static Settings of(selflengthen.v1.LengthControl spec) {
      Settings r = reference();
      return new Settings(
          spec.hasMinWords() ? spec.getMinWords() : r.minWords(),
          spec.hasMaxWords() ? spec.getMaxWords() : r.maxWords(),
          spec.hasShareAbout() ? SpecFloats.decimal(spec.getShareAbout()) : r.shareAbout(),
          spec.hasShareRange() ? SpecFloats.decimal(spec.getShareRange()) : r.shareRange(),
          spec.hasShareAbove() ? SpecFloats.decimal(spec.getShareAbove()) : r.shareAbove(),
          spec.hasShareBelow() ? SpecFloats.decimal(spec.getShareBelow()) : r.shareBelow(),
          spec.hasRoundTo() ? spec.getRoundTo() : r.roundTo(),
          spec.hasShareFloor() ? SpecFloats.decimal(spec.getShareFloor()) : r.shareCoarse(),
          spec.getWidenEqualRange());
    }
  }

  /**
   * A kept row's three draws, in the reference's order: the rounding unit, whether a Chinese row
   * writes its numbers in Chinese numerals ({@code numerals < 0.5}), the constraint type.
   */
  public record Draws(double unit, double numerals, double type) {
    public static Draws next(RandomGenerator random) {
      double unit = random.nextDouble();
      double numerals = random.nextDouble();
      double type = random.nextDouble();
      return new Draws(unit, numerals, type);
    }

    /** Whether a Chinese row writes its numbers in Chinese numerals (half of them). */
    public boolean chineseNumerals() {
      return numerals < 0.5;
    }
  }

  /** The numbers of a kept length: the unit, N, lo and hi (see the class comment). */
  public record Numbers(int words, int unit, int n, int lo, int hi) {}

  /** One rewritten row: the original query, the rewritten one, the response, its words, the rule. */
  public record Constrained(
      String query, String constrainedQuery, String response, int words, LengthConstraint constraint) {}

  private final PromptSet prompts;
  private final Settings settings;

  public LengthControl(PromptSet prompts, Settings settings) {
    this.prompts = Objects.requireNonNull(prompts, "prompts");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public Settings settings() {
    return settings;
  }

  /** Whether a response of this many words is kept. */
  public boolean keeps(int words) {
    return keeps(settings, words);
  }

  public static boolean keeps(Settings settings, int words) {
    return words >= settings.minWords() && words < settings.maxWords();
  }

  /** N, lo and hi for a kept length and the unit draw. */
  public static Numbers numbers(Settings settings, int words, double unitDraw) {
    if (!keeps(settings, words)) {
      throw new IllegalArgumentException(
          words + " words is outside [" + settings.minWords() + ", " + settings.maxWords() + ")");
    }
    int min = settings.minWords();
    int max = settings.maxWords();
    int unit = unitDraw < settings.shareCoarse() ? 2 * settings.roundTo() : settings.roundTo();
    double ratio = (double) words / unit;
    long n = (long) Math.rint(ratio) * unit; // Python's round(): halves to even
    long lo = (long) Math.floor(ratio) * unit;
    long hi = (long) Math.ceil(ratio) * unit;
    return new Numbers(
        words,
        unit,
        (int) Math.max(min, Math.min(max, n)),
        (int) Math.max(lo, min),
        (int) Math.min(hi, max));
  }

  /** The type the type draw picks: cumulative normalised shares, about, range, above, below. */
  public static LengthConstraint.Type type(Settings settings, double typeDraw) {
    double a = settings.shareAbout();
    double b = settings.shareRange();
    double c = settings.shareAbove();
    double total = a + b + c + settings.shareBelow();
    // Cumulative sums, as the reference's literals 0.4, 0.65, 0.75 (exact for the reference shares).
    if (typeDraw < a / total) {
      return LengthConstraint.Type.ABOUT;
    }
    if (typeDraw < (a + b) / total) {
      return LengthConstraint.Type.RANGE;
    }
    if (typeDraw < (a + b + c) / total || settings.shareBelow() == 0) {
      return LengthConstraint.Type.ABOVE;
    }
    return LengthConstraint.Type.BELOW;
  }

  /** The constraint for a kept length and the unit and type draws. */
  public static LengthConstraint constraintFor(
      Settings settings, int words, double unitDraw, double typeDraw) {
    Numbers x = numbers(settings, words, unitDraw);
    return switch (type(settings, typeDraw)) {
      case ABOUT -> LengthConstraint.about(x.n());
      case RANGE -> range(settings, x);
      case ABOVE -> LengthConstraint.above(x.lo());
      case BELOW -> LengthConstraint.below(x.hi());
    };
  }

  private static LengthConstraint range(Settings settings, Numbers x) {
    int lo = x.lo();
    int hi = x.hi();
    if (lo == hi && settings.widenEqualRange()) {
      if (hi + x.unit() <= settings.maxWords()) {
        hi += x.unit();
      } else {
        lo = Math.max(settings.minWords(), lo - x.unit());
      }
    }
    return LengthConstraint.range(x.n(), lo, hi);
  }

  /** The constraint for a kept length, taking the row's three draws from {@code random}. */
  public LengthConstraint constraintFor(int words, RandomGenerator random) {
    Draws d = Draws.next(random);
    return constraintFor(settings, words, d.unit(), d.type());
  }

  /**
   * The row with a length constraint appended to the query as one sentence of the prompt set, or
   * empty when the response's length is not kept (no draw then).
   */
  public Optional<Constrained> apply(String query, String response, RandomGenerator random) {
    int words = prompts.profile().countWords(response);
    if (!keeps(words)) {
      return Optional.empty();
    }
    LengthConstraint constraint = constraintFor(words, random);
    return Optional.of(
        new Constrained(query, prompts.lengthConstrained(query, constraint), response, words, constraint));
  }
}
