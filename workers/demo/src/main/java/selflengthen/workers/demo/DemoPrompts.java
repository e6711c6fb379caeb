package selflengthen.workers.demo;

import java.util.Map;
import selflengthen.method.LanguageProfile;
import selflengthen.method.PromptSet;

/**
 * Short prompts for the demo (spec prompt overrides): the tiny seed model's context stays small, so
 * pretraining and every round run in minutes on a laptop CPU. Each keeps its template's placeholders;
 * a real run keeps the full default prompts.
 */
public final class DemoPrompts {
  public static final Map<String, String> OVERRIDES = Map.of(
      "self_instruct", "Task 1: {example1}\nTask 2: {example2}\nWrite task 3.",
      "self_instruct_prefix", "Task 3:",
      "judge_instruction", "Does this task need a long answer of over {long_words} words?\n{instruction}",
      "extend_former", "Expand the draft.\nTask: {instruction}\n\n{text}",
      "extend_whole", "Expand the draft.\nTask: {instruction}\n\n{text}",
      "extender_training_input", "Expand the draft.\nTask: {instruction}\n\n{text}");

  private DemoPrompts() {}

  public static PromptSet promptSet() {
    return PromptSet.of(LanguageProfile.EN, OVERRIDES);
  }
}
