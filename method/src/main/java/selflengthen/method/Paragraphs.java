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
 * parts, as the reference does whichever way the text was split. These are the lenient cuts
 * ({@code extension.lenient_paragraphs}); {@link #referenceFormer} and {@link #referencePrefix} are
 * the reference's, the default.
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

  /**
   * The reference's former (step2_ext_responses.py): {@code text.split('\n\n')}, or
   * {@code text.split('\n')} when that gives at most 2 parts, empty parts kept and counted; the
   * first {@code len // 2} parts joined with "\n\n". A one-line text gives "".
   */
  public static String referenceFormer(String text) {
    List<String> parts = pySplit(text, "\n\n");
    if (parts.size() <= 2) {
      parts = pySplit(text, "\n");
    }
    return join(parts.subList(0, parts.size() / 2));
  }

  /**
   * The reference's prefix: the expansion's {@code split('\n\n')} parts (no single-newline
   * fallback, empty parts counted), the first {@code floor(n * fraction)} of them joined with
   * "\n\n" (with 2/3: {@code n * 2 // 3}; one part gives ""). The 1e-6 tolerance is the one of
   * {@link #prefix}.
   *
   * @throws IllegalArgumentException if fraction is not in (0, 1]
   */
  public static String referencePrefix(String expansion, double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("prefix fraction must be in (0, 1], got " + fraction);
    }
    List<String> parts = pySplit(expansion, "\n\n");
    int keep = Math.min(parts.size(), (int) Math.floor(parts.size() * fraction + 1e-6));
    return join(parts.subList(0, keep));
  }

  /** Python's {@code str.split(sep)}: every part, leading and trailing empty ones included. */
  static List<String> pySplit(String text, String sep) {
    return List.of((text == null ? "" : text).split(Pattern.quote(sep), -1));
  }

  private static List<String> nonBlank(String[] parts) {
    return Arrays.stream(parts).filter(p -> !p.isBlank()).map(String::stripTrailing).toList();
  }
}
