package selflengthen.method;

import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Length control after the last round: responses of a usable length get
 * their query rewritten to carry a length requirement the response meets.
 *
 * <p>Exact semantics, for a response of {@code w} words (the profile's count):
 *
 * <ol>
 *   <li>Kept only when {@code minWords <= w < maxWords} (reference 2000 and 8000, half-open as the
 *       reference filters).
 *   <li>Rounding unit {@code u}: {@code 2 x roundTo} with probability {@code shareCoarse}, else
 *       {@code roundTo} (reference: 1000, and 2000 for 20% of rows; this is how the reference reads
 *       "N rounded to 1000 (20%: 2000)").
 *   <li>{@code N = round(w / u) x u} (halves round up), {@code lo = floor(w / u) x u},
 *       {@code hi = ceil(w / u) x u}; then N is clamped to [minWords, maxWords], lo raised to at least
 *       minWords and hi lowered to at most maxWords. So {@code lo <= w <= hi} always.
 *   <li>Type, drawn with the shares (normalised to sum 1; reference about 0.40, range 0.25, above
 *       0.10, below 0.25):
 *       <ul>
 *         <li>about: "about N words" (N within u/2 of w, unless clamped);
 *         <li>range: "lo to hi words"; when lo == hi (w a multiple of u) the range is widened by u
 *             upwards if that stays within maxWords, else downwards, so it never collapses to one
 *             number;
 *         <li>above: "more than lo words", {@code lo <= w};
 *         <li>below: "fewer than hi words", {@code hi >= w}.
 *       </ul>
 * </ol>
 *
 * Each row draws exactly two {@code nextDouble()} values from the caller's random, in that order
 * (unit, then type). The query is rewritten with the type's template of the {@link PromptSet}.
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
      double shareCoarse) {
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

    /** The reference: 2000-8000 words, 40/25/10/25, round to 1000, 20% to 2000. */
    public static Settings reference() {
      return new Settings(2000, 8000, 0.40, 0.25, 0.10, 0.25, 1000, 0.2);
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
          spec.hasShareAbout() ? spec.getShareAbout() : r.shareAbout(),
          spec.hasShareRange() ? spec.getShareRange() : r.shareRange(),
          spec.hasShareAbove() ? spec.getShareAbove() : r.shareAbove(),
          spec.hasShareBelow() ? spec.getShareBelow() : r.shareBelow(),
          spec.hasRoundTo() ? spec.getRoundTo() : r.roundTo(),
          spec.hasShareFloor() ? spec.getShareFloor() : r.shareCoarse());
    }
  }

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
    return words >= settings.minWords() && words < settings.maxWords();
  }

  /**
   * The constraint for a response of {@code words} words (two draws from {@code random}).
   *
   * @throws IllegalArgumentException if the length is not kept ({@link #keeps})
   */
  public LengthConstraint constraintFor(int words, RandomGenerator random) {
    if (!keeps(words)) {
      throw new IllegalArgumentException(
          words + " words is outside [" + settings.minWords() + ", " + settings.maxWords() + ")");
    }
    int min = settings.minWords();
    int max = settings.maxWords();
    long unit = random.nextDouble() < settings.shareCoarse() ? 2L * settings.roundTo() : settings.roundTo();
    double typeDraw = random.nextDouble();

    long n = clamp(((2L * words + unit) / (2 * unit)) * unit, min, max);
    long lo = Math.max(min, (words / unit) * unit);
    long hi = Math.min(max, ((words + unit - 1) / unit) * unit);

    double total =
        settings.shareAbout() + settings.shareRange() + settings.shareAbove() + settings.shareBelow();
    double x = typeDraw * total;
    if (x < settings.shareAbout()) {
      return LengthConstraint.about((int) n);
    }
    x -= settings.shareAbout();
    if (x < settings.shareRange()) {
      long rangeLo = lo;
      long rangeHi = hi;
      if (rangeLo == rangeHi) {
        if (rangeHi + unit <= max) {
          rangeHi += unit;
        } else {
          rangeLo = Math.max(min, rangeLo - unit);
        }
      }
      return LengthConstraint.range((int) n, (int) rangeLo, (int) rangeHi);
    }
    x -= settings.shareRange();
    if (x < settings.shareAbove() || settings.shareBelow() == 0) {
      return LengthConstraint.above((int) lo);
    }
    return LengthConstraint.below((int) hi);
  }

  /**
   * The row rewritten with a length constraint, or empty when the response's length is not kept (no
   * random draw then).
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

  private static long clamp(long value, long min, long max) {
    return Math.max(min, Math.min(max, value));
  }
}
