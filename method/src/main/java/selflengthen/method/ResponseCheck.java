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
 * The response check applied to every initial response and every extension candidate: the
 * reference's {@code check_response} ({@code llama/utils.py} for English, {@code qwen/utils.py} for
 * Chinese), rule for rule. After Python's {@code rstrip()} ({@link PyText#rstrip}):
 *
 * <ol>
 *   <li>the text is not empty and its last code point is one of the closing marks (English
 *       {@code . ! ? , ; : - " ' ) ] } > `}; Chinese {@code 。！？”’）】…)]}>`});
 *   <li>English only: none of the meta words (revised, revision, response, version, paragraph) is
 *       a case-sensitive substring of the first 2 or the last 3 lines, lines being the raw
 *       {@code split('\n')} parts, blank ones included ({@link MetaMatch#REFERENCE});
 *   <li>no n-gram occurs twice. {@link NgramUnit#WORD}: Python's {@code split()} tokens, n = 10.
 *       {@link NgramUnit#CJK_OR_ASCII_RUN}: one non-ASCII code point or one maximal run of ASCII
 *       characters, whitespace included, n = 13. n = 0 turns this rule off.
 * </ol>
 *
 * <p>Rules are tested in that order (the reference's) and the first failure is reported. Every
 * setting can be changed in the spec; {@link MetaMatch#WORDS_IGNORE_CASE} is this project's
 * stricter meta rule (any case, whole words, non-blank lines), off by default. Instances are
 * immutable and thread-safe.
 */
public final class ResponseCheck {

  /** How the repeated n-gram rule cuts a text into units. */
  public enum NgramUnit {
    /** Whitespace-separated tokens. */
    WORD,
    /** One non-ASCII code point, or one maximal run of ASCII characters. */
    CJK_OR_ASCII_RUN
  }

  /** How meta words are looked for in the head and tail lines. */
  public enum MetaMatch {
    /**
     * The reference: a case-sensitive substring of the first / last lines of {@code split('\n')},
     * blank lines counted ("responses" and "conversion" match, "Version" does not).
     */
    REFERENCE,
    /**
     * Ours: any case, whole words for words of ASCII letters and digits (substrings otherwise), over
     * non-blank lines, so that a title and a blank line cannot hide a "Here is the revised
     * version:" line.
     */
    WORDS_IGNORE_CASE
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
   * @param metaHeadLines lines at the head searched for meta words
   * @param metaTailLines lines at the tail searched for meta words
   * @param metaWords the meta words; empty turns the rule off
   * @param metaMatch how meta words match
   */
  public record Settings(
      String closingPunctuation,
      NgramUnit ngramUnit,
      int ngramLength,
      int metaHeadLines,
      int metaTailLines,
      List<String> metaWords,
      MetaMatch metaMatch) {
    public Settings {
      Objects.requireNonNull(closingPunctuation, "closingPunctuation");
      Objects.requireNonNull(ngramUnit, "ngramUnit");
      Objects.requireNonNull(metaMatch, "metaMatch");
      if (ngramLength < 0 || metaHeadLines < 0 || metaTailLines < 0) {
        throw new IllegalArgumentException("n-gram length and meta line counts must be >= 0");
      }
      metaWords = List.copyOf(metaWords);
    }

    /** Settings with the reference's meta-word matching. */
    public Settings(
        String closingPunctuation,
        NgramUnit ngramUnit,
        int ngramLength,
        int metaHeadLines,
        int metaTailLines,
        List<String> metaWords) {
      this(closingPunctuation, ngramUnit, ngramLength, metaHeadLines, metaTailLines, metaWords, MetaMatch.REFERENCE);
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
    this.metaPattern =
        settings.metaMatch() == MetaMatch.WORDS_IGNORE_CASE ? metaPattern(settings.metaWords()) : null;
  }

  /**
   * The check of a run: the profile's reference settings, with every field set in {@code spec}
   * taking precedence (an empty string or list counts as unset). The profile chooses the n-gram
   * unit: {@code ngram_words_en} applies to English, {@code ngram_units_zh} to Chinese. Meta words
   * set in the spec apply to either language; the Chinese profile has none of its own.
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
    MetaMatch match =
        spec.hasMetaWordsIgnoreCase() && spec.getMetaWordsIgnoreCase()
            ? MetaMatch.WORDS_IGNORE_CASE
            : MetaMatch.REFERENCE;
    return new ResponseCheck(new Settings(closing, d.ngramUnit(), ngram, head, tail, metaWords, match));
  }

  public Settings settings() {
    return settings;
  }

  /** Checks one response. Never throws; a null response is {@link Verdict#EMPTY}. */
  public Result check(String response) {
    String text = PyText.rstrip(response == null ? "" : response);
    if (text.isEmpty()) {
      return new Result(Verdict.EMPTY, "response is empty");
    }
    int last = text.codePointBefore(text.length());
    if (!closers.contains(last)) {
      return new Result(
          Verdict.NO_CLOSING_PUNCTUATION,
          "ends with '" + new String(Character.toChars(last)) + "', not a closing mark");
    }
    Result meta = metaWord(text);
    if (meta != null) {
      return meta;
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
    return Result.pass();
  }

  private Result metaWord(String text) {
    if (settings.metaWords().isEmpty()) {
      return null;
    }
    if (settings.metaMatch() == MetaMatch.WORDS_IGNORE_CASE) {
      if (metaPattern == null) {
        return null;
      }
      for (String line : headAndTail(text.lines().filter(l -> !l.isBlank()).toList())) {
        Matcher m = metaPattern.matcher(line);
        if (m.find()) {
          return new Result(
              Verdict.META_WORD, "meta word \"" + m.group() + "\" in line \"" + line.strip() + "\"");
        }
      }
      return null;
    }
    // The reference joins part[:2] + part[-3:] with "\n" and looks for each word in the result; no
    // word holds a "\n", so that is the same as looking in each of those lines.
    List<String> lines = headAndTail(List.of(text.split("\n", -1)));
    for (String word : settings.metaWords()) {
      if (word.isEmpty()) {
        continue;
      }
      for (String line : lines) {
        if (line.contains(word)) {
          return new Result(Verdict.META_WORD, "meta word \"" + word + "\" in line \"" + line.strip() + "\"");
        }
      }
    }
    return null;
  }

  /** Shortcut for {@code check(response).passed()}. */
  public boolean passes(String response) {
    return check(response).passed();
  }

  /** Python's {@code text.split()}. */
  static List<String> words(String text) {
    return PyText.split(text);
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

  /** The first {@code metaHeadLines} and the last {@code metaTailLines} lines, each line once. */
  private List<String> headAndTail(List<String> lines) {
    int head = Math.min(settings.metaHeadLines(), lines.size());
    int tailStart = Math.max(head, lines.size() - settings.metaTailLines());
    List<String> picked = new ArrayList<>(lines.subList(0, head));
    picked.addAll(lines.subList(tailStart, lines.size()));
    return picked;
  }

  /** The {@link MetaMatch#WORDS_IGNORE_CASE} pattern, or null without words. */
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
