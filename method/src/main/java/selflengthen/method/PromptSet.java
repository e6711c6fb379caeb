package selflengthen.method;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import selflengthen.method.Prompts.Name;

/**
 * The prompt templates of one run: a profile's built-in templates (resource files
 * {@code selflengthen/prompts/<en|zh>/<name>.txt}, one trailing newline removed) with the run's
 * overrides applied, and typed methods that render them.
 *
 * <p>Immutable and thread-safe.
 */
public final class PromptSet {
  private static final String RESOURCE_ROOT = "/selflengthen/prompts/";
  private static final Map<LanguageProfile, PromptSet> DEFAULTS = new ConcurrentHashMap<>();

  private final LanguageProfile profile;
  private final Map<Name, String> templates;

  private PromptSet(LanguageProfile profile, Map<Name, String> templates) {
    this.profile = profile;
    this.templates = templates;
  }

  /** The built-in templates of a profile. */
  public static PromptSet defaults(LanguageProfile profile) {
    return DEFAULTS.computeIfAbsent(profile, PromptSet::load);
  }

  /**
   * The built-in templates of a profile with {@code overrides} (prompt name to template, as in
   * {@code RunSpec.prompt_overrides}) replacing them.
   *
   * @throws IllegalArgumentException naming the prompt when an override names an unknown prompt or
   *     lacks one of its required placeholders
   */
  public static PromptSet of(LanguageProfile profile, Map<String, String> overrides) {
    PromptSet base = defaults(profile);
    if (overrides == null || overrides.isEmpty()) {
      return base;
    }
    Map<Name, String> templates = new EnumMap<>(base.templates);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      Name name =
          Name.byKey(e.getKey())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown prompt \"" + e.getKey() + "\" in prompt overrides; known: "
                              + Arrays.stream(Name.values()).map(Name::key).toList()));
      String template = Objects.requireNonNull(e.getValue(), "override of " + e.getKey());
      List<String> missing = Prompts.missingPlaceholders(name, template);
      if (!missing.isEmpty()) {
        throw new IllegalArgumentException(
            "prompt override \"" + name.key() + "\" lacks the placeholder {" + missing.get(0)
                + "}; it must contain " + name.requiredPlaceholders().stream().map(p -> "{" + p + "}").toList());
      }
      templates.put(name, template);
    }
    PromptSet set = new PromptSet(profile, templates);
    if (set.selfInstructExamples() == 0) {
      throw new IllegalArgumentException(
          "prompt override \"self_instruct\": neither self_instruct nor self_instruct_prefix holds the"
              + " placeholder {example1}; the examples must stand in one of them");
    }
    return set;
  }

  public LanguageProfile profile() {
    return profile;
  }

  /** The template text of a prompt. */
  public String template(Name name) {
    return templates.get(name);
  }

  /**
   * Self-instruct: pool instructions as the examples {@code {example1}..{exampleN}}; the answer
   * starts with the prefix prompt.
   */
  public ChatPrompt selfInstruct(List<String> examples) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < examples.size(); i++) {
      values.put("example" + (i + 1), examples.get(i));
    }
    String user = Prompts.render(template(Name.SELF_INSTRUCT), values);
    return new ChatPrompt("", user, Prompts.render(template(Name.SELF_INSTRUCT_PREFIX), values));
  }

  private static final java.util.regex.Pattern LAST_NUMBER =
      java.util.regex.Pattern.compile("^(.*?)(\\d+)(?!.*\\d)");

  /**
   * The stop that ends a self-instruct completion where a next instruction would start: the last
   * line of the prefix up to its (last) number, with the number plus one, after a newline
   * ("Instruction 3:" gives "\nInstruction 4", "指令3：" gives "\n指令4"). Empty when the prefix's
   * last line holds no number.
   */
  public java.util.Optional<String> selfInstructStop() {
    String prefix = template(Name.SELF_INSTRUCT_PREFIX);
    String last = prefix.substring(prefix.lastIndexOf('\n') + 1).strip();
    java.util.regex.Matcher m = LAST_NUMBER.matcher(last);
    if (!m.find()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of("\n" + m.group(1) + (Long.parseLong(m.group(2)) + 1));
  }

  /** The method's two-example self-instruct prompt. */
  public ChatPrompt selfInstruct(String example1, String example2) {
    return selfInstruct(List.of(example1, example2));
  }

  /** How many examples the self-instruct template takes: the N of its {@code {example1}..{exampleN}}. */
  public int selfInstructExamples() {
    String t = template(Name.SELF_INSTRUCT) + "\n" + template(Name.SELF_INSTRUCT_PREFIX);
    int n = 0;
    while (t.contains("{example" + (n + 1) + "}")) {
      n++;
    }
    return n;
  }

  /** The judge's yes/no question: does the instruction call for more than {@code longWords} words? */
  public ChatPrompt judgeInstruction(String instruction, int longWords) {
    return new ChatPrompt(
        "",
        Prompts.render(
            template(Name.JUDGE_INSTRUCTION),
            Map.of("instruction", instruction, "long_words", Integer.toString(longWords))),
        "");
  }

  /** Answering an instruction: the instruction is the user turn, under the respond system prompt. */
  public ChatPrompt respond(String instruction) {
    return new ChatPrompt(template(Name.RESPOND), instruction, "");
  }

  /** Micro-iteration, first call: expand {@code former} (the first half of the current text). */
  public ChatPrompt extendFormer(String instruction, String former) {
    return new ChatPrompt("", render(Name.EXTEND_FORMER, instruction, former), "");
  }

  /**
   * Micro-iteration, second call: expand the whole {@code current} text, with the answer forced to
   * start with {@code prefix}.
   */
  public ChatPrompt extendWhole(String instruction, String current, String prefix) {
    return new ChatPrompt("", render(Name.EXTEND_WHOLE, instruction, current), prefix);
  }

  /** The Extender's training prompt (the SFT row's instruction). */
  public String extenderTrainingInput(String instruction, String text) {
    return render(Name.EXTENDER_TRAINING_INPUT, instruction, text);
  }

  /** The query with the constraint written into it, by the constraint type's template. */
  public String lengthConstrained(String query, LengthConstraint constraint) {
    return Prompts.render(
        template(constraint.type().prompt()),
        Map.of(
            "query", query,
            "n", Integer.toString(constraint.n()),
            "lo", Integer.toString(constraint.lo()),
            "hi", Integer.toString(constraint.hi())));
  }

  private String render(Name name, String instruction, String text) {
    return Prompts.render(template(name), Map.of("instruction", instruction, "text", text));
  }

  private static PromptSet load(LanguageProfile profile) {
    Map<Name, String> templates = new EnumMap<>(Name.class);
    for (Name name : Name.values()) {
      String path = RESOURCE_ROOT + profile.code() + "/" + name.key() + ".txt";
      try (InputStream in = PromptSet.class.getResourceAsStream(path)) {
        if (in == null) {
          throw new IllegalStateException("missing prompt resource " + path);
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        templates.put(name, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read prompt resource " + path, e);
      }
    }
    return new PromptSet(profile, templates);
  }
}
