package selflengthen.method;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The prompts of the method and the placeholder syntax they share.
 *
 * <p>A placeholder is a name in braces, such as {@code {instruction}}: a letter or underscore
 * followed by letters, digits or underscores. {@link #render} replaces the placeholders it is given
 * values for, in one pass (a value that itself contains "{text}" is not expanded again), and leaves
 * every other brace as written, so templates may hold JSON or code examples.
 */
public final class Prompts {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private Prompts() {}

  /**
   * Every prompt, by the name used in resource files and in {@code RunSpec.prompt_overrides}, with
   * the placeholders a template of it must contain.
   */
  public enum Name {
    /**
     * User turn of self-instruct. The examples {@code {example1}..{exampleN}} (N = {@code
     * self_instruct.few_shot}, 2 in the method) may stand here or in the prefix; together the two
     * templates must hold {@code {example1}}.
     */
    SELF_INSTRUCT("self_instruct"),
    /**
     * Start of the model's answer in self-instruct (forced prefix, a raw completion as in the
     * reference): by default "Instruction 1: {example1}\nInstruction 2: {example2}\nInstruction 3:".
     * The number of its last line's label, plus one, makes the stop that ends the completion at a
     * fourth instruction ("\nInstruction 4").
     */
    SELF_INSTRUCT_PREFIX("self_instruct_prefix"),
    /** Judge: does the instruction call for an answer of more than {long_words} words? yes/no. */
    JUDGE_INSTRUCTION("judge_instruction", "instruction", "long_words"),
    /** System prompt when answering instructions; empty means none (the chat template's default). */
    RESPOND("respond"),
    /** Extender: expand the first half of the current text. */
    EXTEND_FORMER("extend_former", "instruction", "text"),
    /** Extender: expand the whole current text (its answer is forced to start with the prefix). */
    EXTEND_WHOLE("extend_whole", "instruction", "text"),
    /**
     * The Extender's training prompt, built from the instruction and the initial response with lines
     * dropped. The defaults equal {@link #EXTEND_WHOLE} on purpose: the Extender is trained on the
     * prompt it is later asked with.
     */
    EXTENDER_TRAINING_INPUT("extender_training_input", "instruction", "text"),
    /** Length control: the query with "about {n} words". */
    LENGTH_ABOUT("length_about", "query", "n"),
    /** Length control: the query with "{lo} to {hi} words". */
    LENGTH_RANGE("length_range", "query", "lo", "hi"),
    /** Length control: the query with "more than {n} words". */
    LENGTH_ABOVE("length_above", "query", "n"),
    /** Length control: the query with "fewer than {n} words". */
    LENGTH_BELOW("length_below", "query", "n"),
    /**
     * Length control's LLM rewrite (system turn; the user turn is the query): weave {limit} into
     * the query, replacing any limit already there.
     */
    LENGTH_REWRITE("length_rewrite", "limit");

    private final String key;
    private final List<String> placeholders;

    Name(String key, String... placeholders) {
      this.key = key;
      this.placeholders = List.of(placeholders);
    }

    /** The prompt's name in resource files and overrides, e.g. "extend_whole". */
    public String key() {
      return key;
    }

    /** Placeholders (without braces) every template of this prompt must contain. */
    public List<String> requiredPlaceholders() {
      return placeholders;
    }

    /** The prompt of a key, if there is one. */
    public static Optional<Name> byKey(String key) {
      return Arrays.stream(values()).filter(n -> n.key.equals(key)).findFirst();
    }
  }

  /**
   * Substitutes the placeholders named in {@code values}; anything else in braces stays as written.
   */
  public static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 64);
    while (m.find()) {
      String value = values.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The required placeholders of {@code name} that {@code template} lacks, in declaration order. */
  public static List<String> missingPlaceholders(Name name, String template) {
    return name.requiredPlaceholders().stream()
        .filter(p -> !template.contains("{" + p + "}"))
        .toList();
  }
}
