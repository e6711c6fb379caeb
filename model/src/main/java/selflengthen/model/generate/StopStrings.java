package selflengthen.model.generate;

import java.util.List;

/** Finding stop strings in generated text. */
public final class StopStrings {
  private StopStrings() {}

  /**
   * Index of the earliest occurrence of any stop string in {@code text} at or after
   * {@code from}, or -1.
   */
  public static int earliest(String text, List<String> stops, int from) {
    int best = -1;
    for (String s : stops) {
      if (s.isEmpty()) {
        continue;
      }
      int i = text.indexOf(s, Math.max(0, from));
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
      }
    }
    return best;
  }

  /** The text up to (not including) the earliest stop string, or the text itself. */
  public static String cut(String text, List<String> stops) {
    int i = earliest(text, stops, 0);
    return i < 0 ? text : text.substring(0, i);
  }

  static int longest(List<String> stops) {
    int n = 0;
    for (String s : stops) {
      n = Math.max(n, s.length());
    }
    return n;
  }
}
