package selflengthen.method;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two word counts of the benchmarks, kept apart because each benchmark is scored with its own.
 *
 * <ul>
 *   <li>{@link #selfLengthen}: CJK characters (U+4E00-9FFF, U+3000-303F, U+FF00-FFEF) plus the
 *       whitespace-separated tokens of what remains once those characters become spaces. Used for
 *       every length in a run and for LonGen.
 *   <li>{@link #longBenchWrite}: CJK characters (U+4E00-9FFF) plus runs of ASCII letters, as
 *       LongBench-Write counts.
 * </ul>
 */
public final class WordCount {
  private static final Pattern SELF_LENGTHEN_CJK =
      Pattern.compile("[\\u4E00-\\u9FFF\\u3000-\\u303F\\uFF00-\\uFFEF]");
  private static final Pattern LONGBENCH_CJK = Pattern.compile("[\\u4E00-\\u9FFF]");
  private static final Pattern LATIN_RUN = Pattern.compile("[a-zA-Z]+");

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
    String rest = cjk.replaceAll(" ").strip();
    if (!rest.isEmpty()) {
      count += rest.split("\\s+").length;
    }
    return count;
  }

  public static int longBenchWrite(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    int count = 0;
    Matcher cjk = LONGBENCH_CJK.matcher(text);
    while (cjk.find()) {
      count++;
    }
    Matcher latin = LATIN_RUN.matcher(text);
    while (latin.find()) {
      count++;
    }
    return count;
  }
}
