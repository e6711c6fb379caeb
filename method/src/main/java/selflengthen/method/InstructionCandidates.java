package selflengthen.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Self-instruct parsing (step 1 of a round): the candidate instruction in the model's completion,
 * the word-count window a candidate must fall in, and the judge's yes/no answer.
 */
public final class InstructionCandidates {
  /** Reference window: more than 3 and fewer than 500 words. */
  public static final int REFERENCE_MIN_WORDS = 3;
  public static final int REFERENCE_MAX_WORDS = 500;

  // List labels at the start of a line, with optional markdown emphasis around them. A named label
  // ("Instruction 3:", "Prompt #3", "指令3：") and a bare number label ("3.", "3、", "3)", "(3)",
  // "第3条"); "3.5" is not a label.
  private static final String EMPHASIS = "[*_#>]*\\s*";
  private static final String NAMED = "(?:instruction|prompt|指令)\\s*#?\\s*\\d+\\s*[:：.、)）]?";
  private static final String NUMBERED =
      "(?:[(（]\\s*\\d+\\s*[)）]|第\\s*\\d+\\s*条\\s*[:：、]?|#?\\d+\\s*(?:[、:：)）]|\\.(?!\\d)))";
  private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
  private static final Pattern NAMED_LABEL =
      Pattern.compile("^\\s*" + EMPHASIS + NAMED + "[*_]*\\s*", FLAGS);
  private static final Pattern NUMBERED_LABEL =
      Pattern.compile("^\\s*" + EMPHASIS + NUMBERED + "[*_]*\\s*", FLAGS);
  private static final Pattern SEPARATOR_LINE = Pattern.compile("^\\s*(?:-{3,}|\\*{3,}|_{3,}|={3,})\\s*$");
  private static final String OPEN_QUOTES = "\"'\u201C\u2018\u300C\u300E`";
  private static final String CLOSE_QUOTES = "\"'\u201D\u2019\u300D\u300F`";

  private final int minWords;
  private final int maxWords;
  private final LanguageProfile profile;

  /**
   * @param minWords a candidate must have more than this many words
   * @param maxWords a candidate must have fewer than this many words
   */
  public InstructionCandidates(LanguageProfile profile, int minWords, int maxWords) {
    if (minWords < 0 || maxWords <= minWords + 1) {
      throw new IllegalArgumentException(
          "the window (" + minWords + ", " + maxWords + ") holds no word count");
    }
    this.profile = profile;
    this.minWords = minWords;
    this.maxWords = maxWords;
  }

  /** The reference window (3, 500). */
  public static InstructionCandidates reference(LanguageProfile profile) {
    return new InstructionCandidates(profile, REFERENCE_MIN_WORDS, REFERENCE_MAX_WORDS);
  }

  /** A spec's window, reference values for unset fields. */
  public static InstructionCandidates of(LanguageProfile profile, selflengthen.v1.SelfInstruct spec) {
    return new InstructionCandidates(
        profile,
        spec.hasMinWords() ? spec.getMinWords() : REFERENCE_MIN_WORDS,
        spec.hasMaxWords() ? spec.getMaxWords() : REFERENCE_MAX_WORDS);
  }

  /**
   * The one instruction in a self-instruct completion. Steps: drop leading whitespace; drop a list
   * label at the start (named: "Instruction 3:", "**Instruction 3:**", "指令3："; numbered: "3.",
   * "3、", "3)", "(3)", "第3条") and the whitespace after it; keep the lines up to the first blank line, separator line ("---"),
   * line starting with a named label, or, when the completion itself began with a numbered label,
   * line starting with a numbered label (so a numbered list of requirements inside an instruction
   * survives, but a numbered list of instructions is cut after its first item); strip surrounding
   * whitespace, markdown emphasis and surrounding quotes (a pair, or a lone opening or closing one).
   * Empty when nothing is left.
   */
  public static Optional<String> parse(String completion) {
    if (completion == null) {
      return Optional.empty();
    }
    String text = completion.replace("\r\n", "\n").stripLeading();
    boolean numberedList = false;
    Matcher named = NAMED_LABEL.matcher(text);
    if (named.lookingAt()) {
      text = text.substring(named.end());
    } else {
      Matcher numbered = NUMBERED_LABEL.matcher(text);
      if (numbered.lookingAt()) {
        text = text.substring(numbered.end());
        numberedList = true;
      }
    }
    text = text.stripLeading();
    List<String> kept = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.isBlank() || SEPARATOR_LINE.matcher(line).matches()) {
        break;
      }
      if (!kept.isEmpty()
          && (NAMED_LABEL.matcher(line).lookingAt()
              || (numberedList && NUMBERED_LABEL.matcher(line).lookingAt()))) {
        break;
      }
      kept.add(line.strip());
    }
    String candidate = cleanEnds(String.join("\n", kept));
    return candidate.isEmpty() ? Optional.empty() : Optional.of(candidate);
  }

  /**
   * The reference's candidate: the whole completion, stripped as Python's {@code str.strip()} does
   * (the stop strings already ended it at a fourth instruction or a separator). Empty when blank.
   */
  public static Optional<String> referenceCandidate(String completion) {
    String s = completion == null ? "" : pyStrip(completion);
    return s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /**
   * The reference's judge: the stripped answer is exactly "是" (Chinese, qwen/step0) or, lower-cased,
   * exactly "yes" (English, llama/step0). "Yes." or "是的" are rejections.
   */
  public static boolean exactYes(String answer, LanguageProfile profile) {
    String s = answer == null ? "" : pyStrip(answer);
    return profile == LanguageProfile.ZH ? s.equals("\u662f") : s.toLowerCase(Locale.ROOT).equals("yes");
  }

  /** Python's {@code str.strip()}: removes the characters Python's {@code isspace()} accepts. */
  public static String pyStrip(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && pySpace(s.charAt(start))) {
      start++;
    }
    while (end > start && pySpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean pySpace(char c) {
    return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085'
        || (c >= '\u001c' && c <= '\u001f');
  }

  /** Whether a candidate's word count lies strictly inside the window. */
  public boolean withinWindow(String instruction) {
    int words = profile.countWords(instruction);
    return words > minWords && words < maxWords;
  }

  /** The judge's verdict. */
  public enum JudgeAnswer {
    YES,
    NO,
    /** Neither a yes nor a no could be read: treat as a rejection. */
    UNCLEAR
  }

  // Leading noise before the judge's verdict: markdown, quotes, brackets, "Answer:" labels.
  private static final Pattern JUDGE_NOISE =
      Pattern.compile("^(?:[\\s*_#`>\"'\u201C\u201D\u2018\u2019\u300C\u300D\\[\\](){}（）【】]"
          + "|(?:final\\s+)?answer\\s*[:：]|verdict\\s*[:：]|答案\\s*[:：]|回答\\s*[:：]|判断\\s*[:：]|结论\\s*[:：])+",
          Pattern.CASE_INSENSITIVE);
  private static final Pattern EN_YES = Pattern.compile("^(?:yes|yeah|yep|true|y)(?![a-z])");
  private static final Pattern EN_NO = Pattern.compile("^(?:no|nope|not|false|n)(?![a-z])");

  /**
   * Reads the judge's answer from its first word: "Yes.", "yes, because ...", "**Yes**",
   * "Answer: yes" and "是", "是的", "适合", "可以" are {@link JudgeAnswer#YES}; "No", "**No**", "not
   * really", "否", "不是", "不适合", "不" are {@link JudgeAnswer#NO}; anything else is {@link
   * JudgeAnswer#UNCLEAR}. Case and leading markdown, quotes and "Answer:" labels are ignored.
   */
  public static JudgeAnswer parseJudge(String answer) {
    if (answer == null) {
      return JudgeAnswer.UNCLEAR;
    }
    String s = JUDGE_NOISE.matcher(answer.strip()).replaceFirst("").toLowerCase(Locale.ROOT);
    if (s.isEmpty()) {
      return JudgeAnswer.UNCLEAR;
    }
    // Chinese: negations first, since "不是" and "不适合" contain the affirmatives.
    if (s.startsWith("不") || s.startsWith("否") || s.startsWith("没")) {
      return JudgeAnswer.NO;
    }
    if (s.startsWith("是") || s.startsWith("适合") || s.startsWith("可以") || s.startsWith("对")
        || s.startsWith("能")) {
      return JudgeAnswer.YES;
    }
    if (EN_YES.matcher(s).find()) {
      return JudgeAnswer.YES;
    }
    if (EN_NO.matcher(s).find()) {
      return JudgeAnswer.NO;
    }
    return JudgeAnswer.UNCLEAR;
  }

  private static String cleanEnds(String s) {
    String out = s.strip();
    String previous;
    do {
      previous = out;
      out = stripChars(out, "*_").strip();
      if (out.length() >= 2
          && OPEN_QUOTES.indexOf(out.charAt(0)) >= 0
          && CLOSE_QUOTES.indexOf(out.charAt(out.length() - 1)) >= 0) {
        out = out.substring(1, out.length() - 1).strip();
      } else if (!out.isEmpty() && OPEN_QUOTES.indexOf(out.charAt(0)) >= 0 && !hasCloser(out)) {
        out = out.substring(1).strip();
      } else if (!out.isEmpty()
          && CLOSE_QUOTES.indexOf(out.charAt(out.length() - 1)) >= 0
          && !hasOpener(out)) {
        out = out.substring(0, out.length() - 1).strip();
      }
    } while (!out.equals(previous));
    return out;
  }

  private static boolean hasCloser(String s) {
    for (int i = 1; i < s.length(); i++) {
      if (CLOSE_QUOTES.indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasOpener(String s) {
    for (int i = 0; i < s.length() - 1; i++) {
      if (OPEN_QUOTES.indexOf(s.charAt(i)) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static String stripChars(String s, String chars) {
    int start = 0;
    int end = s.length();
    while (start < end && chars.indexOf(s.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && chars.indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(start, end);
  }
}
