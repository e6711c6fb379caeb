package selflengthen.method;

import java.util.List;
import selflengthen.v1.Language;

/**
 * The language of a run: how words are counted, which closing punctuation ends a response, how the
 * response check looks for repetition, and which prompt set is used.
 *
 * <p>Both profiles count words with {@link WordCount#selfLengthen}: the reference uses one count for
 * both languages ({@code count_words} of both utils.py), and CJK characters count one each.
 */
public enum LanguageProfile {
  EN(
      "en",
      // llama/utils.py check_response: . ! ? , ; : - " ' ) ] } > ` (its '...' can never equal the
      // one last character, so it is left out).
      ".!?,;:-\"')]}>`",
      ResponseCheck.NgramUnit.WORD,
      10,
      2,
      3,
      List.of("revised", "revision", "response", "version", "paragraph")),
  ZH(
      "zh",
      // qwen/utils.py check_response: 。！？”）】’… and ) ] } > ` (no ASCII full stop, no 》).
      "\u3002\uFF01\uFF1F\u201D\uFF09\u3011\u2019\u2026" + ")]}>`",
      ResponseCheck.NgramUnit.CJK_OR_ASCII_RUN,
      13,
      // qwen/utils.py has no meta-word rule; lines are set so that words given in the spec apply.
      2,
      3,
      List.of());

  private final String code;
  private final String closingPunctuation;
  private final ResponseCheck.NgramUnit ngramUnit;
  private final int ngramLength;
  private final int metaHeadLines;
  private final int metaTailLines;
  private final List<String> metaWords;

  LanguageProfile(
      String code,
      String closingPunctuation,
      ResponseCheck.NgramUnit ngramUnit,
      int ngramLength,
      int metaHeadLines,
      int metaTailLines,
      List<String> metaWords) {
    this.code = code;
    this.closingPunctuation = closingPunctuation;
    this.ngramUnit = ngramUnit;
    this.ngramLength = ngramLength;
    this.metaHeadLines = metaHeadLines;
    this.metaTailLines = metaTailLines;
    this.metaWords = metaWords;
  }

  /**
   * The profile of a spec's language; {@code LANGUAGE_UNSPECIFIED} means English.
   *
   * @throws IllegalArgumentException for a language value this build does not know
   */
  public static LanguageProfile of(Language language) {
    return switch (language) {
      case LANGUAGE_UNSPECIFIED, LANGUAGE_EN -> EN;
      case LANGUAGE_ZH -> ZH;
      case UNRECOGNIZED -> throw new IllegalArgumentException("unknown language: " + language);
    };
  }

  /** The proto value of this profile. */
  public Language toProto() {
    return this == EN ? Language.LANGUAGE_EN : Language.LANGUAGE_ZH;
  }

  /** Short code, also the prompt resource directory: "en" or "zh". */
  public String code() {
    return code;
  }

  /** Words of a text as every length in a run is measured ({@link WordCount#selfLengthen}). */
  public int countWords(String text) {
    return WordCount.selfLengthen(text);
  }

  /**
   * What the Extender's training input re-joins the initial response's kept lines with: "\n\n"
   * for Chinese (qwen/mk_data.py), "\n" for English (llama/mk_data.py).
   */
  public String extenderLineJoiner() {
    return this == ZH ? "\n\n" : "\n";
  }

  /** The characters a response may end with, one code point each. */
  public String closingPunctuation() {
    return closingPunctuation;
  }

  /** The response check with this profile's reference settings. */
  public ResponseCheck.Settings defaultCheckSettings() {
    return new ResponseCheck.Settings(
        closingPunctuation, ngramUnit, ngramLength, metaHeadLines, metaTailLines, metaWords);
  }

  /** The response check with this profile's reference settings. */
  public ResponseCheck defaultCheck() {
    return new ResponseCheck(defaultCheckSettings());
  }

  /** The built-in prompts of this profile, without overrides. */
  public PromptSet defaultPrompts() {
    return PromptSet.defaults(this);
  }
}
