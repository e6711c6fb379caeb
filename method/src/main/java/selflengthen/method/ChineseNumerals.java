package selflengthen.method;

/**
 * Non-negative integers in Chinese numerals, as the reference's length control writes half of its
 * Chinese limits (its {@code cn2an.an2cn}, "low" mode): 2000 is 二千, 2500 二千五百, 3050 三千零五十,
 * 10 十, 15 十五, 110 一百一十, 10000 一万. Our own converter.
 */
public final class ChineseNumerals {
  private static final String DIGITS = "零一二三四五六七八九";
  private static final String[] SMALL_UNITS = {"", "十", "百", "千"};
  private static final String[] BIG_UNITS = {"", "万", "亿", "万亿"};

  private ChineseNumerals() {}

  public static String of(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative: " + n);
    }
    if (n == 0) {
      return "零";
    }
    StringBuilder out = new StringBuilder();
    boolean pendingZero = false;
    int group = 0;
    java.util.List<String> groups = new java.util.ArrayList<>();
    long rest = n;
    while (rest > 0) {
      groups.add(0, group(rest % 10000));
      rest /= 10000;
      group++;
    }
    for (int i = 0; i < groups.size(); i++) {
      String g = groups.get(i);
      int unit = groups.size() - 1 - i;
      long value = (n / pow10000(unit)) % 10000;
      if (value == 0) {
        pendingZero = out.length() > 0;
        continue;
      }
      if (out.length() > 0 && (pendingZero || value < 1000)) {
        out.append('零');
      }
      pendingZero = false;
      out.append(g).append(BIG_UNITS[unit]);
    }
    String s = out.toString();
    // 10-19 read 十, 十五 rather than 一十, 一十五 (cn2an does the same for the leading digit).
    return s.startsWith("一十") ? s.substring(1) : s;
  }

  private static long pow10000(int k) {
    long p = 1;
    for (int i = 0; i < k; i++) {
      p *= 10000;
    }
    return p;
  }

  /** 1..9999 without a leading 零. */
  private static String group(long v) {
    StringBuilder b = new StringBuilder();
    boolean zero = false;
    for (int pos = 3; pos >= 0; pos--) {
      int d = (int) (v / (long) Math.pow(10, pos)) % 10;
      if (d == 0) {
        zero = b.length() > 0;
        continue;
      }
      if (zero) {
        b.append('零');
        zero = false;
      }
      b.append(DIGITS.charAt(d)).append(SMALL_UNITS[pos]);
    }
    return b.toString();
  }
}
