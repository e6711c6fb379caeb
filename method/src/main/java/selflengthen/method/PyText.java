package selflengthen.method;

import java.util.ArrayList;
import java.util.List;

/**
 * Python's string primitives that the reference scripts lean on, by code point: {@code str.isspace},
 * {@code str.rstrip()}, {@code str.split()} and the {@code \w} of a {@code re} str pattern. Java's
 * own ({@code Character.isWhitespace}, {@code String.strip}, {@code "\\s+"}, {@code \b}) differ on
 * U+0085, U+00A0, U+2007, U+202F, combining marks and more, and every such difference would change
 * which responses pass or how many words a text has.
 */
public final class PyText {
  private PyText() {}

  /**
   * Python's {@code str.isspace()} for one code point (bidirectional class WS, B or S, or category
   * Zs): tab to carriage return, U+001C-U+001F, space, U+0085, U+00A0, U+1680, U+2000-U+200A,
   * U+2028, U+2029, U+202F, U+205F and U+3000.
   */
  public static boolean isSpace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D)
        || (cp >= 0x1C && cp <= 0x20)
        || cp == 0x85
        || cp == 0xA0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A)
        || cp == 0x2028
        || cp == 0x2029
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  /** {@code text.rstrip()}. */
  public static String rstrip(String text) {
    int end = text.length();
    while (end > 0) {
      int cp = text.codePointBefore(end);
      if (!isSpace(cp)) {
        break;
      }
      end -= Character.charCount(cp);
    }
    return text.substring(0, end);
  }

  /** {@code text.strip()}. */
  public static String strip(String text) {
    String r = rstrip(text);
    int start = 0;
    while (start < r.length()) {
      int cp = r.codePointAt(start);
      if (!isSpace(cp)) {
        break;
      }
      start += Character.charCount(cp);
    }
    return r.substring(start);
  }

  /** {@code text.split()}: the runs of non-space code points. */
  public static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      int cp = text.codePointAt(i);
      if (isSpace(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      int start = i;
      while (i < n) {
        cp = text.codePointAt(i);
        if (isSpace(cp)) {
          break;
        }
        i += Character.charCount(cp);
      }
      out.add(text.substring(start, i));
    }
    return out;
  }

  /** {@code len(text.split())}, without building the list. */
  public static int countSplit(String text) {
    int count = 0;
    boolean inToken = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      boolean space = isSpace(cp);
      if (!space && !inToken) {
        count++;
      }
      inToken = !space;
      i += Character.charCount(cp);
    }
    return count;
  }

  /** {@code len(text)}: code points, not UTF-16 units. */
  public static int len(String text) {
    return text.codePointCount(0, text.length());
  }

  /**
   * {@code \w} of a Python {@code re} str pattern: {@code str.isalnum()} (letters Lu Ll Lt Lm Lo;
   * numbers Nd Nl No) or the underscore. Combining marks are not word characters, unlike Java's
   * Unicode {@code \w}.
   */
  public static boolean isWordChar(int cp) {
    if (cp == '_') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.UPPERCASE_LETTER,
          Character.LOWERCASE_LETTER,
          Character.TITLECASE_LETTER,
          Character.MODIFIER_LETTER,
          Character.OTHER_LETTER,
          Character.DECIMAL_DIGIT_NUMBER,
          Character.LETTER_NUMBER,
          Character.OTHER_NUMBER:
        return true;
      default:
        return false;
    }
  }
}
