package selflengthen.method.preference;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Corrupted instructions for Suri-style pairs (Pham et al., 2024, arXiv 2406.19371: I-ORPO prefers
 * a response under its own instruction over the same response under a corrupted one). Suri has a
 * model rewrite the instruction; these corruptions are made without a model call, so they are
 * deterministic and free:
 *
 * <ul>
 *   <li>{@link #shrinkLength}: every length requirement in the instruction ("2000 words", "3
 *       paragraphs", "800字") asks for a tenth; a long answer no longer fits the instruction, which
 *       is the preference a long-output model should learn;
 *   <li>{@link #swap}: another instruction of the same set, for instructions without a number.
 * </ul>
 *
 * A corrupted instruction made elsewhere (by a model) can be given to {@link
 * PreferencePairs#corrupted} directly.
 */
public final class InstructionCorruption {
  /** How much a length requirement shrinks. */
  static final int SHRINK = 10;

  private static final Pattern ENGLISH = Pattern.compile(
      "(\\d[\\d,]*)(\\s*(?:-|to|–)\\s*(\\d[\\d,]*))?(\\s*)(words?|characters?|paragraphs?"
          + "|sentences?|pages?|tokens?|lines?)\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern CHINESE = Pattern.compile(
      "(\\d[\\d,]*)(\\s*(?:-|到|至|~|～)\\s*(\\d[\\d,]*))?(\\s*)(个字|字|词|段|句|页|行)");

  private InstructionCorruption() {}

  /**
   * The instruction with each length requirement cut to a tenth (at least 1; a range cuts both
   * ends), or empty when it has none, or only requirements of 1.
   */
  public static Optional<String> shrinkLength(String instruction) {
    String once = shrink(instruction, ENGLISH);
    String both = shrink(once, CHINESE);
    return both.equals(instruction) ? Optional.empty() : Optional.of(both);
  }

  private static String shrink(String text, Pattern pattern) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      StringBuilder r = new StringBuilder(smaller(m.group(1)));
      if (m.group(2) != null) {
        String range = m.group(2);
        r.append(range, 0, range.length() - m.group(3).length()).append(smaller(m.group(3)));
      }
      r.append(m.group(4)).append(m.group(5));
      m.appendReplacement(out, Matcher.quoteReplacement(r.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String smaller(String number) {
    long n = Long.parseLong(number.replace(",", ""));
    return Long.toString(Math.max(1, n / SHRINK));
  }

  /**
   * Another instruction of {@code instructions} than the one at {@code index} (one with a
   * different text), drawn with one {@code nextInt} call, or empty when there is none.
   */
  public static Optional<String> swap(List<String> instructions, int index,
      RandomGenerator random) {
    String own = instructions.get(index);
    List<String> others = new ArrayList<>();
    for (String s : instructions) {
      if (!s.equals(own)) {
        others.add(s);
      }
    }
    return others.isEmpty() ? Optional.empty()
        : Optional.of(others.get(random.nextInt(others.size())));
  }

  /** {@link #shrinkLength} when the instruction has a length requirement, else {@link #swap}. */
  public static Optional<String> corrupt(List<String> instructions, int index,
      RandomGenerator random) {
    Optional<String> shrunk = shrinkLength(instructions.get(index));
    return shrunk.isPresent() ? shrunk : swap(instructions, index, random);
  }
}
