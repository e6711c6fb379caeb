package selflengthen.method;

import java.util.Objects;

/**
 * When an extension candidate replaces the best text, and when an extension attempt succeeds
 * (step 4 of a round: extension).
 *
 * <ul>
 *   <li>A candidate is taken when it passes the response check and has strictly more words than the
 *       best so far; it then becomes both the best and the text the next micro-iteration expands.
 *   <li>An attempt succeeds when the best has strictly more than {@code minGrowth} times the words
 *       of the original response (reference 1.2).
 * </ul>
 *
 * Words are counted with the profile's count. Instances are immutable and thread-safe; {@link
 * Attempt} holds the state of one attempt and is not.
 */
public final class ExtensionAcceptance {
  /** Reference growth an attempt must beat. */
  public static final double REFERENCE_MIN_GROWTH = 1.2;

  private final ResponseCheck check;
  private final LanguageProfile profile;
  private final double minGrowth;

  /** @throws IllegalArgumentException if minGrowth is negative or not finite */
  public ExtensionAcceptance(ResponseCheck check, LanguageProfile profile, double minGrowth) {
    this.check = Objects.requireNonNull(check, "check");
    this.profile = Objects.requireNonNull(profile, "profile");
    if (!(minGrowth >= 0) || Double.isInfinite(minGrowth)) {
      throw new IllegalArgumentException("min growth must be a finite number >= 0, got " + minGrowth);
    }
    this.minGrowth = minGrowth;
  }

  /** The rule of a spec: {@code min_growth}, reference 1.2 when unset. */
  public static ExtensionAcceptance of(
      ResponseCheck check, LanguageProfile profile, selflengthen.v1.Extension spec) {
    return new ExtensionAcceptance(
        check, profile, spec.hasMinGrowth() ? spec.getMinGrowth() : REFERENCE_MIN_GROWTH);
  }

  /** The outcome of offering one candidate: taken or not, why, and both word counts. */
  public record Decision(
      boolean accepted, ResponseCheck.Result check, int candidateWords, int bestWords) {}

  /** Whether {@code candidate} replaces {@code best}. */
  public Decision consider(String best, String candidate) {
    int bestWords = profile.countWords(best);
    int candidateWords = profile.countWords(candidate);
    ResponseCheck.Result result = check.check(candidate);
    return new Decision(result.passed() && candidateWords > bestWords, result, candidateWords, bestWords);
  }

  /** Whether an attempt whose best text is {@code best} succeeded for {@code original}. */
  public boolean succeeded(String original, String best) {
    return profile.countWords(best) > minGrowth * profile.countWords(original);
  }

  public double minGrowth() {
    return minGrowth;
  }

  /** Starts one attempt from the original response. */
  public Attempt start(String original) {
    return new Attempt(Objects.requireNonNull(original, "original"));
  }

  /**
   * One extension attempt: {@link #current()} is the text the next micro-iteration expands; {@link
   * #offer} applies the acceptance rule to a candidate.
   */
  public final class Attempt {
    private final String original;
    private String best;
    /** Accepted texts the best has since replaced, and candidates the check refused. */
    private final java.util.List<String> steps = new java.util.ArrayList<>();
    private final java.util.List<String> refused = new java.util.ArrayList<>();

    private Attempt(String original) {
      this.original = original;
      this.best = original;
    }

    /** Offers a candidate; when accepted it becomes the best and the current text. */
    public Decision offer(String candidate) {
      Decision decision = consider(best, candidate);
      if (decision.accepted()) {
        if (!best.equals(original)) {
          steps.add(best);
        }
        best = candidate;
      } else if (!decision.check().passed()) {
        refused.add(candidate);
      }
      return decision;
    }

    /** The accepted texts the best has since replaced (shorter than it, in order). */
    public java.util.List<String> steps() {
      return java.util.List.copyOf(steps);
    }

    /** The candidates the response check refused, in order. */
    public java.util.List<String> refused() {
      return java.util.List.copyOf(refused);
    }

    /** The text the next micro-iteration expands (the best so far). */
    public String current() {
      return best;
    }

    public String best() {
      return best;
    }

    public String original() {
      return original;
    }

    /** Whether the best so far is long enough for the attempt to count as a success. */
    public boolean succeeded() {
      return ExtensionAcceptance.this.succeeded(original, best);
    }
  }
}
