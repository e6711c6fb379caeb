package selflengthen.method;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A length requirement written into a query: "about n", "lo to hi", "more than n" or "fewer than n"
 * words. For {@link Type#ABOUT}, {@link Type#ABOVE} and {@link Type#BELOW} the quoted number is
 * {@code n} and {@code lo == hi == n}; for {@link Type#RANGE} the quoted numbers are {@code lo} and
 * {@code hi}, and {@code n} is the round number between them the range was built around.
 */
public record LengthConstraint(Type type, int n, int lo, int hi) {

  /** The four constraint types; {@link #label()} is LonGen's {@code type} value. */
  public enum Type {
    ABOUT("about", Prompts.Name.LENGTH_ABOUT),
    RANGE("range", Prompts.Name.LENGTH_RANGE),
    ABOVE("above", Prompts.Name.LENGTH_ABOVE),
    BELOW("below", Prompts.Name.LENGTH_BELOW);

    private final String label;
    private final Prompts.Name prompt;

    Type(String label, Prompts.Name prompt) {
      this.label = label;
      this.prompt = prompt;
    }

    /** "about", "range", "above" or "below", as LonGen names the types. */
    public String label() {
      return label;
    }

    /** The prompt template that writes this constraint into a query. */
    public Prompts.Name prompt() {
      return prompt;
    }

    /** The type of a LonGen label, if any. */
    public static Optional<Type> byLabel(String label) {
      return Arrays.stream(values()).filter(t -> t.label.equals(label)).findFirst();
    }
  }

  public LengthConstraint {
    Objects.requireNonNull(type, "type");
    if (n <= 0 || lo <= 0 || lo > hi) {
      throw new IllegalArgumentException("bad length constraint " + type + " n=" + n + " lo=" + lo + " hi=" + hi);
    }
    if (type != Type.RANGE && (lo != n || hi != n)) {
      throw new IllegalArgumentException(type + " quotes one number: lo and hi must equal n");
    }
  }

  /** "about n" words. */
  public static LengthConstraint about(int n) {
    return new LengthConstraint(Type.ABOUT, n, n, n);
  }

  /** "lo to hi" words, built around the round number n. */
  public static LengthConstraint range(int n, int lo, int hi) {
    return new LengthConstraint(Type.RANGE, n, lo, hi);
  }

  /** "more than n" words. */
  public static LengthConstraint above(int n) {
    return new LengthConstraint(Type.ABOVE, n, n, n);
  }

  /** "fewer than n" words. */
  public static LengthConstraint below(int n) {
    return new LengthConstraint(Type.BELOW, n, n, n);
  }

  /**
   * The requirement as {@code eval/add_length_control.py} words it, numbers in Arabic digits:
   * English "around N words", "lo-hi words", "more than lo words", "less than hi words"; Chinese
   * "大约N字", "lo字至hi字", "大于lo字", "小于hi字" (the reference's Chinese list pairs 小于 with lo and
   * 大于 with hi, a swap fixed here).
   */
  public String referenceText(LanguageProfile profile) {
    return referenceText(profile, Integer::toString);
  }

  /** {@link #referenceText(LanguageProfile)} with each number written by {@code numeral}. */
  public String referenceText(LanguageProfile profile, java.util.function.IntFunction<String> numeral) {
    boolean zh = profile == LanguageProfile.ZH;
    return switch (type) {
      case ABOUT -> zh ? "大约" + numeral.apply(n) + "字" : "around " + numeral.apply(n) + " words";
      case RANGE -> zh
          ? numeral.apply(lo) + "字至" + numeral.apply(hi) + "字"
          : numeral.apply(lo) + "-" + numeral.apply(hi) + " words";
      case ABOVE -> zh ? "大于" + numeral.apply(n) + "字" : "more than " + numeral.apply(n) + " words";
      case BELOW -> zh ? "小于" + numeral.apply(n) + "字" : "less than " + numeral.apply(n) + " words";
    };
  }
}
