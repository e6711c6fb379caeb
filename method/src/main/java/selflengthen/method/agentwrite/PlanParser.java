package selflengthen.method.agentwrite;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an AgentWrite plan from a model's answer, tolerantly. The asked-for form is one line a
 * paragraph, {@code Paragraph 1 - Main Point: ... - Word Count: 400 words} (Chinese: {@code 段落1 -
 * 主要内容：... - 字数：400字}); models also write numbered or bulleted lists, markdown bold,
 * {@code 第一段}, labels on lines of their own, ranges ({@code 300-400 words}, taken at their
 * middle) and a preamble or closing remark. So:
 *
 * <ul>
 *   <li>a step starts at a line that opens with a paragraph marker ({@code Paragraph 3}, {@code
 *       Part 3}, {@code 段落3}, {@code 第三段}, {@code 3.}, {@code 3)}, {@code 3、});
 *   <li>a line without a marker continues the current step (a label on its own line), or is
 *       ignored before the first step (a preamble); a remark after the steps without a label is
 *       ignored too;
 *   <li>when no line has a marker, every non-blank line is a step, as the reference splits plans.
 * </ul>
 */
public final class PlanParser {
  private static final Pattern MARKER = Pattern.compile(
      "^(?:[-*•#>\\s]|\\*\\*)*"
          + "(?:(?:paragraph|para\\.?|part|section|step|subtask)\\s*(\\d+)"
          + "|段落\\s*(\\d+)"
          + "|第\\s*([0-9一二三四五六七八九十两]+)\\s*(?:段|部分|节)"
          + "|(\\d+)\\s*[.)、:：](?!\\d))"
          + "(?:\\*\\*)?\\s*[-:：—–|.]*\\s*",
      Pattern.CASE_INSENSITIVE);
  private static final String NUMBER = "(\\d[\\d,]*)(?:\\s*(?:-|–|~|～|to|至|到)\\s*(\\d[\\d,]*))?";
  private static final Pattern COUNT_LABELLED = Pattern.compile(
      "(?:word\\s*count|words|length|字数|篇幅)\\s*(?:\\*\\*)?\\s*[:：]?\\s*(?:\\*\\*)?\\s*"
          + "(?:about|around|approximately|approx\\.?|roughly|约|大约|左右)?\\s*" + NUMBER,
      Pattern.CASE_INSENSITIVE);
  private static final Pattern COUNT_UNIT = Pattern.compile(
      NUMBER + "\\s*(?:words?|字)", Pattern.CASE_INSENSITIVE);
  private static final Pattern MAIN_LABEL = Pattern.compile(
      "(?:main\\s*points?|key\\s*points?|content|主要内容|要点|主旨|内容)\\s*(?:\\*\\*)?\\s*[:：]"
          + "\\s*(?:\\*\\*)?",
      Pattern.CASE_INSENSITIVE);
  /** A word count at the end of a line without a label: "(about 600 words)", "，400字". */
  private static final Pattern TRAILING_COUNT = Pattern.compile(
      "\\s*[-–—|,，(（]?\\s*(?:about|around|approximately|approx\\.?|roughly|约|大约)?\\s*"
          + COUNT_UNIT.pattern() + "\\s*[)）]?\\s*$",
      Pattern.CASE_INSENSITIVE);
  /** Where the word count part of a line starts (its separator included). */
  private static final Pattern COUNT_START = Pattern.compile(
      "\\s*(?:[-–—|,，;；(（]\\s*)?(?:\\*\\*)?(?:word\\s*count|字数|篇幅)",
      Pattern.CASE_INSENSITIVE);

  private PlanParser() {}

  public static Plan parse(String answer) {
    List<String> lines = new ArrayList<>();
    for (String raw : answer.replace("\r\n", "\n").split("\n")) {
      if (!raw.isBlank()) {
        lines.add(raw.strip());
      }
    }
    List<StringBuilder> groups = new ArrayList<>();
    List<Integer> numbers = new ArrayList<>();
    for (String line : lines) {
      Matcher m = MARKER.matcher(line);
      if (m.lookingAt()) {
        groups.add(new StringBuilder(line));
        numbers.add(number(m));
      } else if (!groups.isEmpty() && (labelled(line) || endsWithBareMarker(groups))) {
        groups.get(groups.size() - 1).append(" - ").append(line);
      }
      // else: a preamble before the first step or a closing remark after the last
    }
    List<PlanStep> steps = new ArrayList<>();
    if (groups.isEmpty()) {
      for (String line : lines) {
        steps.add(step(steps.size() + 1, line, line));
      }
      return new Plan(steps);
    }
    boolean numbered = numbers.stream().allMatch(n -> n > 0);
    for (int i = 0; i < groups.size(); i++) {
      String line = groups.get(i).toString();
      Matcher m = MARKER.matcher(line);
      String body = m.lookingAt() ? line.substring(m.end()) : line;
      steps.add(step(numbered ? numbers.get(i) : i + 1, line, body));
    }
    return new Plan(steps);
  }

  private static boolean labelled(String line) {
    return MAIN_LABEL.matcher(line).lookingAt() || COUNT_START.matcher(line).lookingAt()
        || line.matches("(?i)^(?:[-*•]\\s*)?(?:\\*\\*)?(?:word\\s*count|字数|main\\s*point|主要内容).*");
  }

  private static boolean endsWithBareMarker(List<StringBuilder> groups) {
    String last = groups.get(groups.size() - 1).toString();
    Matcher m = MARKER.matcher(last);
    return m.lookingAt() && m.end() == last.length();
  }

  private static PlanStep step(int index, String line, String body) {
    return new PlanStep(index, mainPoint(body), words(body), clean(line));
  }

  /** The text after a main-point label, up to the word count part; else the body less that part. */
  static String mainPoint(String body) {
    String text = body.replaceFirst("^\\s*[-–—|:：]+\\s*", "");
    Matcher label = MAIN_LABEL.matcher(text);
    if (label.find()) {
      text = text.substring(label.end());
    }
    Matcher count = COUNT_START.matcher(text);
    if (count.find()) {
      text = text.substring(0, count.start());
    } else {
      Matcher unit = TRAILING_COUNT.matcher(text);
      if (unit.find()) {
        text = text.substring(0, unit.start());
      }
    }
    return clean(text).replaceAll("[\\s\\-–—|:：,，;；]+$", "").strip();
  }

  /** The word budget: after a word count label, else the number before "words" / "字"; else 0. */
  static int words(String body) {
    Matcher m = COUNT_LABELLED.matcher(body);
    if (!m.find()) {
      m = COUNT_UNIT.matcher(body);
      if (!m.find()) {
        return 0;
      }
    }
    long lo = Long.parseLong(m.group(1).replace(",", ""));
    long hi = m.group(2) == null ? lo : Long.parseLong(m.group(2).replace(",", ""));
    return (int) Math.min(Integer.MAX_VALUE, (lo + hi) / 2);
  }

  private static String clean(String s) {
    return s.replace("**", "").strip();
  }

  private static int number(Matcher m) {
    for (int g = 1; g <= 4; g++) {
      if (m.group(g) != null) {
        return g == 3 ? chineseNumber(m.group(g)) : Integer.parseInt(m.group(g));
      }
    }
    return 0;
  }

  /** 1 to 99 in digits or Chinese numerals (一 .. 九十九, 两 for 二); 0 when not one. */
  static int chineseNumber(String s) {
    if (s.chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(s);
    }
    String digits = "零一二三四五六七八九";
    String t = s.replace('两', '二');
    int ten = t.indexOf('十');
    if (ten < 0) {
      return t.length() == 1 ? Math.max(0, digits.indexOf(t.charAt(0))) : 0;
    }
    int tens = ten == 0 ? 1 : digits.indexOf(t.charAt(0));
    int ones = ten == t.length() - 1 ? 0 : digits.indexOf(t.charAt(ten + 1));
    return tens < 0 || ones < 0 ? 0 : tens * 10 + ones;
  }
}
