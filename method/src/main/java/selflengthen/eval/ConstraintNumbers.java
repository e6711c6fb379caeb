package selflengthen.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the numbers of a length constraint, in order: Arabic ("2000", "2,000", "2.5"), with a
 * thousands suffix ("4k"), Chinese numerals ("两千", "三千五百", "一万", "三千五") and mixed forms
 * ("1万", "3千5百"). Anything else (words, "字", "-", "至", "到", "~") separates numbers.
 */
public final class ConstraintNumbers {

  /**
   * A number and the magnitude its text ends with (1000 for "4k" or "4千", 1 for "4000"), which
   * lets "2-4k" or "2至4千" share the upper bound's magnitude.
   */
  public record Found(double value, double trailingMagnitude) {}

  private static final Pattern RUN =
      Pattern.compile("[0-9.零〇一二两兩三四五六七八九十百千万萬]+(\\s?[kK](?![a-zA-Z]))?");
  private static final Pattern THOUSANDS_SEPARATOR = Pattern.compile("(?<=\\d)[,，](?=\\d{3}(?!\\d))");

  private ConstraintNumbers() {}

  public static List<Found> find(String text) {
    String normalized = THOUSANDS_SEPARATOR.matcher(toAsciiDigits(text)).replaceAll("");
    List<Found> found = new ArrayList<>();
    Matcher run = RUN.matcher(normalized);
    while (run.find()) {
      String body = run.group().replaceAll("\\s?[kK]$", "");
      body = trimDots(body);
      if (body.isEmpty()) {
        continue;
      }
      Found number = parseRun(body);
      if (run.group(1) != null) {
        number = new Found(number.value() * 1000, 1000);
      }
      found.add(number);
    }
    return found;
  }

  private static String trimDots(String body) {
    int start = 0;
    int end = body.length();
    while (start < end && body.charAt(start) == '.') {
      start++;
    }
    while (end > start && body.charAt(end - 1) == '.') {
      end--;
    }
    return body.substring(start, end);
  }

  private static String toAsciiDigits(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out.append(c >= '０' && c <= '９' ? (char) ('0' + (c - '０')) : c);
    }
    return out.toString();
  }

  /** Positional Chinese numeral reading; an Arabic digit sequence acts as one digit value. */
  static Found parseRun(String run) {
    double total = 0;
    double section = 0;
    double number = 0;
    boolean pending = false;
    boolean singleDigitRightAfterUnit = false;
    double lastUnit = 1;
    boolean previousWasUnit = false;
    int i = 0;
    while (i < run.length()) {
      char c = run.charAt(i);
      if ((c >= '0' && c <= '9') || c == '.') {
        int end = i;
        while (end < run.length()
            && ((run.charAt(end) >= '0' && run.charAt(end) <= '9') || run.charAt(end) == '.')) {
          end++;
        }
        String digits = run.substring(i, end);
        number = parseArabic(digits, run);
        singleDigitRightAfterUnit = previousWasUnit && digits.length() == 1;
        pending = true;
        previousWasUnit = false;
        i = end;
        continue;
      }
      int digit = chineseDigit(c);
      if (digit >= 0) {
        number = digit;
        singleDigitRightAfterUnit = previousWasUnit;
        pending = true;
        previousWasUnit = false;
      } else if (c == '万' || c == '萬') {
        section += pending ? number : 0;
        total += (section == 0 && total == 0 ? 1 : section) * 10000;
        section = 0;
        number = 0;
        pending = false;
        lastUnit = 10000;
        previousWasUnit = true;
      } else {
        double unit = c == '十' ? 10 : c == '百' ? 100 : 1000;
        section += (pending ? number : 1) * unit;
        number = 0;
        pending = false;
        lastUnit = unit;
        previousWasUnit = true;
      }
      i++;
    }
    double magnitude = previousWasUnit ? lastUnit : 1;
    if (pending && singleDigitRightAfterUnit && lastUnit >= 100) {
      // "三千五" is 3500 and "一万五" is 15000: a lone digit after a unit counts in the next unit down.
      number *= lastUnit / 10;
    }
    return new Found(total + section + (pending ? number : 0), magnitude);
  }

  private static double parseArabic(String digits, String run) {
    try {
      return Double.parseDouble(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cannot read the number \"" + run + "\"");
    }
  }

  private static int chineseDigit(char c) {
    return switch (c) {
      case '零', '〇' -> 0;
      case '一' -> 1;
      case '二', '两', '兩' -> 2;
      case '三' -> 3;
      case '四' -> 4;
      case '五' -> 5;
      case '六' -> 6;
      case '七' -> 7;
      case '八' -> 8;
      case '九' -> 9;
      default -> -1;
    };
  }
}
