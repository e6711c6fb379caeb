package selflengthen.method.agentwrite;

import selflengthen.method.LanguageProfile;

/**
 * The two prompts of AgentWrite (Bai et al., 2024, LongWriter, section 3): a plan prompt that asks
 * for one line per paragraph with its main point and word budget, and a write prompt that asks for
 * the next paragraph given the instruction, the plan and the text so far. The wording is this
 * project's; what each prompt asks for follows the paper's AgentWrite: paragraphs of 200 to 1,000
 * words, only the new paragraph in the answer, no premature conclusion.
 */
public final class AgentWritePrompts {
  /** The paper's bounds on a planned paragraph, in words. */
  public static final int MIN_PARAGRAPH_WORDS = 200;
  public static final int MAX_PARAGRAPH_WORDS = 1000;

  private final LanguageProfile language;
  private final int minWords;
  private final int maxWords;

  public AgentWritePrompts(LanguageProfile language, int minWords, int maxWords) {
    if (minWords <= 0 || maxWords < minWords) {
      throw new IllegalArgumentException("paragraph bounds must satisfy 0 < min <= max, got "
          + minWords + ", " + maxWords);
    }
    this.language = language;
    this.minWords = minWords;
    this.maxWords = maxWords;
  }

  /** The paper's bounds (200 to 1,000 words a paragraph). */
  public static AgentWritePrompts of(LanguageProfile language) {
    return new AgentWritePrompts(language, MIN_PARAGRAPH_WORDS, MAX_PARAGRAPH_WORDS);
  }

  public String plan(String instruction) {
    if (language == LanguageProfile.ZH) {
      return "请把下面这个长篇写作任务拆分成若干段落的写作计划。计划的每一行对应一个段落，写明该段落的"
          + "主要内容（尽量具体）和字数要求。\n\n"
          + "写作任务：\n\n" + instruction + "\n\n"
          + "请严格按照以下格式输出，每个段落占一行：\n\n"
          + "段落1 - 主要内容：[该段落的主要内容，尽量具体] - 字数：[字数要求，例如 500字]\n"
          + "段落2 - 主要内容：[该段落的主要内容，尽量具体] - 字数：[字数要求，例如 800字]\n"
          + "……\n\n"
          + "所有段落合起来要覆盖整个写作任务，字数之和应符合任务要求的篇幅。不要拆得过细，每段不少于"
          + minWords + "字、不多于" + maxWords + "字。只输出计划本身，不要输出其他内容。";
    }
    return "Break the long writing task below into a plan of paragraphs. Each line of the plan"
        + " stands for one paragraph: what it covers, in detail, and how many words it should"
        + " have.\n\n"
        + "Writing task:\n\n" + instruction + "\n\n"
        + "Write one line per paragraph, in exactly this form:\n\n"
        + "Paragraph 1 - Main Point: [what this paragraph covers, in detail] - Word Count:"
        + " [its length, e.g. 500 words]\n"
        + "Paragraph 2 - Main Point: [what this paragraph covers, in detail] - Word Count:"
        + " [its length, e.g. 800 words]\n"
        + "...\n\n"
        + "Together the paragraphs must cover the whole task, and their word counts should add up"
        + " to the length the task asks for. Do not split the text too finely: give each paragraph"
        + " at least " + minWords + " and at most " + maxWords + " words. Output the plan lines"
        + " and nothing else.";
  }

  /**
   * The prompt for the paragraph of {@code step}: the instruction, the whole plan, the text
   * written so far (paragraphs joined by blank lines; empty before the first).
   */
  public String write(String instruction, Plan plan, String written, PlanStep step) {
    boolean empty = written == null || written.isBlank();
    if (language == LanguageProfile.ZH) {
      return "你正在协助逐段写作一篇长文。下面给出写作任务、段落计划以及已经写好的内容。\n\n"
          + "写作任务：\n\n" + instruction + "\n\n"
          + "段落计划：\n\n" + plan.text() + "\n\n"
          + "已写内容：\n\n" + (empty ? "（尚未开始）" : written.strip()) + "\n\n"
          + "请结合写作任务、段落计划和已写内容，接着写：" + step.line() + "。如有需要，可以在段首加一个"
          + "简短的小标题。只输出你新写的这一段，不要重复已写内容。全文还会继续，所以不要写总结性的结尾或"
          + "收束语。";
    }
    return "You are helping to write a long text one paragraph at a time. Below are the writing"
        + " task, the plan of paragraphs and the text written so far.\n\n"
        + "Writing task:\n\n" + instruction + "\n\n"
        + "Plan:\n\n" + plan.text() + "\n\n"
        + "Text written so far:\n\n" + (empty ? "(nothing yet)" : written.strip()) + "\n\n"
        + "Now write the next part of the text: " + step.line() + ". Follow the task and the plan"
        + " and carry on from the text so far; you may open with a short subheading. Output only"
        + " the new paragraph, without repeating what is already written. The text goes on after"
        + " this paragraph, so do not wrap it up or add closing remarks.";
  }
}
