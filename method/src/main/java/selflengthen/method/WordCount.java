package selflengthen.method;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two word counts, kept apart because each benchmark is scored with its own.
 *
 * <ul>
 *   <li>{@link #selfLengthen}: Self-Lengthen's {@code count_words} (both utils.py,
 *       eval/add_length_control.py, eval/length_following_eval.py): the characters of U+4E00-9FFF,
 *       U+3000-303F and U+FF00-FFEF, plus the tokens of Python's {@code split()} of what remains
 *       once each of those characters becomes a space. Used for every length in a run and for
 *       LonGen.
 *   <li>{@link #longBenchWrite}: LongWriter's {@code count_words} (evaluation/pred.py): the
 *       characters of U+4E00-9FFF plus the matches of Python's {@code \b[a-zA-Z]+\b}, whose word
 *       boundary is Unicode-aware: "abc中文", "abc123", "café" and "x_y" hold no English word.
 * </ul>
 */
public final class WordCount {
  private static final Pattern SELF_LENGTHEN_CJK =
      Pattern.compile("[\\u4E00-\\u9FFF\\u3000-\\u303F\\uFF00-\\uFFEF]");

  private WordCount() {}

  public static int selfLengthen(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    Matcher cjk = SELF_LENGTHEN_CJK.matcher(text);
    int count = 0;
    while (cjk.find()) {
      count++;
    }
    return count + PyText.countSplit(cjk.replaceAll(" "));
  }

  public static int longBenchWrite(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    int count = 0;
    int n = text.length();
    int prev = -1; // the code point before i; -1 at the start
    int i = 0;
    while (i < n) {
      int cp = text.codePointAt(i);
      if (cp >= 0x4E00 && cp <= 0x9FFF) {
        count++;
      }
      if (isAsciiLetter(cp)) {
        // A maximal run of ASCII letters is one match when neither neighbour is a word character
        // (\b on both sides); no shorter match inside it exists, since \b never holds between two
        // letters.
        int start = i;
        while (i < n && isAsciiLetter(text.charAt(i))) {
          i++;
        }
        boolean leftBoundary = prev < 0 || !PyText.isWordChar(prev);
        boolean rightBoundary = i >= n || !PyText.isWordChar(text.codePointAt(i));
        if (leftBoundary && rightBoundary) {
          count++;
        }
        prev = text.charAt(i - 1);
        continue;
      }
      prev = cp;
      i += Character.charCount(cp);
    }
    return count;
  }

  private static boolean isAsciiLetter(int cp) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  }
}
