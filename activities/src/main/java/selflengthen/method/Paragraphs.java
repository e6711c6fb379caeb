package selflengthen.method;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Paragraph cuts of the extension micro-iteration (step 4 of a round).
 *
 * <p>{@link #split}: paragraphs are separated by one or more blank lines (a blank line may hold
 * spaces or tabs); when that gives at most 2 parts, the text is split on single newlines instead.
 * Blank parts are dropped and parts keep their inner text as written (a paragraph's leading
 * indentation is kept; its trailing whitespace is not). {@link #join} puts one blank line between
 * parts, as the reference does whichever way the text was split.
 */
public final class Paragraphs {
  /** Reference share of the expanded first half's paragraphs kept as the forced prefix. */
  public static final double REFERENCE_PREFIX_FRACTION = 2.0 / 3.0;

  // A newline followed by one or more lines holding only horizontal whitespace.
  private static final Pattern BLANK_LINES = Pattern.compile("\\n(?:[ \\t\\x0B\\f]*\\n)+");
  private static final Pattern NEWLINE = Pattern.compile("\\r?\\n");

  private Paragraphs() {}

  /** The paragraphs of a text (see the class comment); empty for a blank text. */
  public static List<String> split(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    String normalized = text.replace("\r\n", "\n");
    List<String> parts = nonBlank(BLANK_LINES.split(normalized));
    if (parts.size() <= 2) {
      parts = nonBlank(NEWLINE.split(normalized));
    }
    return parts;
  }

  /** Parts joined with one blank line ("\n\n") between them. */
  public static String join(List<String> paragraphs) {
    return String.join("\n\n", paragraphs);
  }

  /**
   * The first half of a text's paragraphs, joined: the first {@code n / 2} (rounded down) of the
   * {@code n} paragraphs, but at least one; empty for a blank text. With 5 paragraphs: 2; with 1: 1.
   */
  public static String former(String text) {
    List<String> parts = split(text);
    if (parts.isEmpty()) {
      return "";
    }
    return join(parts.subList(0, Math.max(1, parts.size() / 2)));
  }

  /**
   * The forced prefix cut from the Extender's expansion of {@code former}: the first
   * {@code floor(n * fraction)} of its {@code n} paragraphs, but at least one (and at most n); empty
   * for a blank text. A tolerance of 1e-6 makes a float such as 2/3 = 0.6666667f or 0.6666666f give
   * the intended count: with fraction 2/3, 3 paragraphs give 2, 4 give 2, 6 give 4, 1 gives 1.
   *
   * @throws IllegalArgumentException if fraction is not in (0, 1]
   */
  public static String prefix(String expansion, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("prefix fraction must be in (0, 1], got " + fraction);
    }
    List<String> parts = split(expansion);
    if (parts.isEmpty()) {
      return "";
    }
    int keep = (int) Math.floor(parts.size() * fraction + 1e-6);
    keep = Math.min(parts.size(), Math.max(1, keep));
    return join(parts.subList(0, keep));
  }

  private static List<String> nonBlank(String[] parts) {
    return Arrays.stream(parts).filter(p -> !p.isBlank()).map(String::stripTrailing).toList();
  }
}
