package selflengthen.method;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The reference's response check, applied to every initial response and every extension candidate.
 * A response passes when, after trailing whitespace is removed:
 *
 * <ol>
 *   <li>it is not empty and its last code point is one of the closing punctuation marks;
 *   <li>no n-gram occurs twice. With {@link NgramUnit#WORD} the units are whitespace-separated
 *       tokens compared exactly (English: n = 10). With {@link NgramUnit#CJK_OR_ASCII_RUN} a unit is
 *       one non-ASCII code point or one maximal run of ASCII characters, whitespace included, as the
 *       reference splits Chinese text (n = 13). n = 0 turns this rule off;
 *   <li>none of the first {@code metaHeadLines} and last {@code metaTailLines} non-blank lines
 *       contains a meta word ("revised", "version", ...). Matching ignores case; a word of ASCII
 *       letters and digits must match as a whole word, any other word as a substring. Blank lines are
 *       skipped (the reference counts them) so that a title followed by a blank line cannot hide a
 *       "Here is the revised version:" line from the check.
 * </ol>
 *
 * <p>Rules are tested in that order and the first failure is reported. Instances are immutable and
 * thread-safe.
 */
public final class ResponseCheck {

  /** How the repeated n-gram rule cuts a text into units. */
  public enum NgramUnit {
    /** Whitespace-separated tokens. */
    WORD,
    /** One non-ASCII code point, or one maximal run of ASCII characters. */
    CJK_OR_ASCII_RUN
  }

  /** Why a response failed, or {@link #PASS}. */
  public enum Verdict {
    PASS,
    EMPTY,
    NO_CLOSING_PUNCTUATION,
    REPEATED_NGRAM,
    META_WORD
  }

  /** The outcome of a check: the verdict and a short human-readable reason. */
  public record Result(Verdict verdict, String message) {
    public Result {
      Objects.requireNonNull(verdict, "verdict");
      message = message == null ? "" : message;
    }

    static Result pass() {
      return new Result(Verdict.PASS, "passed");
    }

    public boolean passed() {
      return verdict == Verdict.PASS;
    }
  }

  /**
   * The check's parameters.
   *
   * @param closingPunctuation the code points a response may end with (whitespace in it is ignored)
   * @param ngramUnit how n-grams are cut
   * @param ngramLength n; 0 turns the repeated n-gram rule off
   * @param metaHeadLines non-blank lines at the head searched for meta words
   * @param metaTailLines non-blank lines at the tail searched for meta words
   * @param metaWords the meta words; empty turns the rule off
   */
  public record Settings(
      String closingPunctuation,
      NgramUnit ngramUnit,
      int ngramLength,
      int metaHeadLines,
      int metaTailLines,
      List<String> metaWords) {
    public Settings {
      Objects.requireNonNull(closingPunctuation, "closingPunctuation");
      Objects.requireNonNull(ngramUnit, "ngramUnit");
      if (ngramLength < 0 || metaHeadLines < 0 || metaTailLines < 0) {
        throw new IllegalArgumentException("n-gram length and meta line counts must be >= 0");
      }
      metaWords = List.copyOf(metaWords);
    }
  }

  private final Settings settings;
  private final Set<Integer> closers;
  private final Pattern metaPattern;

  public ResponseCheck(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.closers =
        settings.closingPunctuation().codePoints()
            .filter(cp -> !Character.isWhitespace(cp))
            .boxed()
            .collect(Collectors.toUnmodifiableSet());
    if (closers.isEmpty()) {
      throw new IllegalArgumentException("closing punctuation must not be empty");
    }
    this.metaPattern = metaPattern(settings.metaWords());
  }

  /**
   * The check of a run: the profile's reference settings, with every field set in {@code spec}
   * taking precedence (an empty string or list counts as unset). The profile chooses the n-gram
   * unit: {@code ngram_words_en} applies to English, {@code ngram_units_zh} to Chinese.
   */
  public static ResponseCheck of(LanguageProfile profile, selflengthen.v1.ResponseCheck spec) {
    Settings d = profile.defaultCheckSettings();
    String closing =
        spec.getClosingPunctuation().isBlank() ? d.closingPunctuation() : spec.getClosingPunctuation();
    int ngram = d.ngramLength();
    if (d.ngramUnit() == NgramUnit.WORD && spec.hasNgramWordsEn()) {
      ngram = spec.getNgramWordsEn();
    } else if (d.ngramUnit() == NgramUnit.CJK_OR_ASCII_RUN && spec.hasNgramUnitsZh()) {
      ngram = spec.getNgramUnitsZh();
    }
    List<String> metaWords =
        spec.getMetaWordsCount() == 0 ? d.metaWords() : List.copyOf(spec.getMetaWordsList());
    int head = spec.hasMetaHeadLines() ? spec.getMetaHeadLines() : d.metaHeadLines();
    int tail = spec.hasMetaTailLines() ? spec.getMetaTailLines() : d.metaTailLines();
    return new ResponseCheck(new Settings(closing, d.ngramUnit(), ngram, head, tail, metaWords));
  }

  public Settings settings() {
    return settings;
  }

  /** Checks one response. Never throws; a null response is {@link Verdict#EMPTY}. */
  public Result check(String response) {
    String text = response == null ? "" : response.stripTrailing();
    if (text.isEmpty()) {
      return new Result(Verdict.EMPTY, "response is empty");
    }
    int last = text.codePointBefore(text.length());
    if (!closers.contains(last)) {
      return new Result(
          Verdict.NO_CLOSING_PUNCTUATION,
          "ends with '" + new String(Character.toChars(last)) + "', not closing punctuation");
    }
    if (settings.ngramLength() > 0) {
      List<String> units =
          settings.ngramUnit() == NgramUnit.WORD ? words(text) : cjkOrAsciiRuns(text);
      List<String> repeated = firstRepeatedNgram(units, settings.ngramLength());
      if (repeated != null) {
        String joiner = settings.ngramUnit() == NgramUnit.WORD ? " " : "";
        return new Result(
            Verdict.REPEATED_NGRAM,
            "repeated " + settings.ngramLength() + "-gram: \"" + String.join(joiner, repeated) + "\"");
      }
    }
    if (metaPattern != null) {
      for (String line : metaLines(text)) {
        Matcher m = metaPattern.matcher(line);
        if (m.find()) {
          return new Result(
              Verdict.META_WORD, "meta word \"" + m.group() + "\" in line \"" + line.strip() + "\"");
        }
      }
    }
    return Result.pass();
  }

  /** Shortcut for {@code check(response).passed()}. */
  public boolean passes(String response) {
    return check(response).passed();
  }

  /** Whitespace-separated tokens. */
  static List<String> words(String text) {
    String s = text.strip();
    return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
  }

  /** Units of the Chinese rule: each non-ASCII code point, or a maximal run of ASCII characters. */
  static List<String> cjkOrAsciiRuns(String text) {
    List<String> units = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      int cp = text.codePointAt(i);
      if (cp < 0x80) {
        int j = i;
        while (j < n && text.charAt(j) < 0x80) {
          j++;
        }
        units.add(text.substring(i, j));
        i = j;
      } else {
        int len = Character.charCount(cp);
        units.add(text.substring(i, i + len));
        i += len;
      }
    }
    return units;
  }

  /** The first n-gram (in text order of its second occurrence) seen twice, or null. */
  static List<String> firstRepeatedNgram(List<String> units, int n) {
    Set<List<String>> seen = new HashSet<>();
    for (int end = n; end <= units.size(); end++) {
      List<String> gram = units.subList(end - n, end);
      if (!seen.add(gram)) {
        return gram;
      }
    }
    return null;
  }

  private List<String> metaLines(String text) {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    int head = Math.min(settings.metaHeadLines(), lines.size());
    int tailStart = Math.max(head, lines.size() - settings.metaTailLines());
    List<String> picked = new ArrayList<>(lines.subList(0, head));
    picked.addAll(lines.subList(tailStart, lines.size()));
    return picked;
  }

  private static Pattern metaPattern(List<String> metaWords) {
    List<String> alternatives = new ArrayList<>();
    for (String word : metaWords) {
      String w = word.strip();
      if (w.isEmpty()) {
        continue;
      }
      String quoted = Pattern.quote(w.toLowerCase(Locale.ROOT));
      alternatives.add(w.matches("[A-Za-z0-9]+") ? "\\b" + quoted + "\\b" : quoted);
    }
    if (alternatives.isEmpty()) {
      return null;
    }
    return Pattern.compile(
        String.join("|", alternatives),
        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
  }
}
