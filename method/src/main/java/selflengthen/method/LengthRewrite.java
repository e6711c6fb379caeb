package selflengthen.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Length control's LLM rewrite (the reference's eval/add_length_control.py): the limit phrase of a
 * constraint in the row's language, the chat that asks a model to weave it into the query (replacing
 * any limit already there), and the check that the rewrite kept the numbers. A rewrite that lost a
 * number is retried, then the row falls back to the query with the limit appended as a sentence
 * ({@link PromptSet#lengthConstrained}).
 */
public final class LengthRewrite {
  /** A limit phrase ("around 3000 words", "大约三千字") and the number strings it quotes. */
  public record Limit(String phrase, List<String> numbers) {}

  private LengthRewrite() {}

  /**
   * The limit phrase of a constraint, in the reference's words (its constraint list). Chinese
   * "above" is 大于{lo} and "below" 小于{hi}: the reference's Chinese list swaps the two words (its
   * "above" reads 小于{lo}), a bug fixed here, as in {@link LengthConstraint#referenceText}.
   *
   * @param chineseNumerals write the numbers in Chinese numerals (Chinese rows only)
   */
  public static Limit limit(LengthConstraint c, LanguageProfile language, boolean chineseNumerals) {
    boolean zh = language == LanguageProfile.ZH;
    String n = number(c.n(), zh && chineseNumerals);
    String lo = number(c.lo(), zh && chineseNumerals);
    String hi = number(c.hi(), zh && chineseNumerals);
    return switch (c.type()) {
      case ABOUT -> new Limit(zh ? "大约" + n + "字" : "around " + n + " words", List.of(n));
      case RANGE -> new Limit(zh ? lo + "字至" + hi + "字" : lo + "-" + hi + " words", List.of(lo, hi));
      case ABOVE -> new Limit(zh ? "大于" + n + "字" : "more than " + n + " words", List.of(n));
      case BELOW -> new Limit(zh ? "小于" + n + "字" : "less than " + n + " words", List.of(n));
    };
  }

  private static String number(int n, boolean chinese) {
    return chinese ? ChineseNumerals.of(n) : Integer.toString(n);
  }

  /** The rewrite chat: the instruction (with the limit) as the system turn, the query as the user's. */
  public static ChatPrompt prompt(PromptSet prompts, String query, Limit limit) {
    String system = Prompts.render(prompts.template(Prompts.Name.LENGTH_REWRITE), Map.of("limit", limit.phrase()));
    return new ChatPrompt(system, query, "");
  }

  /**
   * Whether a rewrite quotes every number of the limit: as written, or for Arabic numbers also with
   * thousands separators ("3,000"). Blank rewrites fail.
   */
  public static boolean keepsNumbers(String rewrite, Limit limit) {
    if (rewrite == null || rewrite.isBlank()) {
      return false;
    }
    for (String n : limit.numbers()) {
      List<String> forms = new ArrayList<>(List.of(n));
      if (n.chars().allMatch(Character::isDigit) && n.length() > 3) {
        forms.add(String.format(java.util.Locale.ROOT, "%,d", Long.parseLong(n)));
      }
      if (forms.stream().noneMatch(rewrite::contains)) {
        return false;
      }
    }
    return true;
  }
}
