package selflengthen.method;

import java.util.List;
import selflengthen.v1.Language;

/**
 * The language of a run: how words are counted, which closing punctuation ends a response, how the
 * response check looks for repetition, and which prompt set is used.
 *
 * <p>Both profiles count words with {@link WordCount#selfLengthen}: the reference uses one count for
 * both languages, and CJK characters count one each.
 */
public enum LanguageProfile {
  EN(
      "en",
      // ASCII closers, then the closing curly quotes U+201D and U+2019.
      ".!?\"')]}*`\u201D\u2019",
      ResponseCheck.NgramUnit.WORD,
      10,
      2,
      3,
      List.of(
          "revised", "revision", "revisions", "response", "responses", "version", "versions",
          "paragraph", "paragraphs", "rewrite", "rewritten")),
  ZH(
      "zh",
      // 。！？”’）】》…」』 then the English set.
      "\u3002\uFF01\uFF1F\u201D\u2019\uFF09\u3011\u300B\u2026\u300D\u300F" + ".!?\"')]}*`",
      ResponseCheck.NgramUnit.CJK_OR_ASCII_RUN,
      13,
      // Chinese has no default meta words; lines are set so that words given in the spec apply.
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
