package selflengthen.model.chat;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Functions transformers offers chat templates: raise_exception and strftime_now. */
public final class TemplateFunctions {
  private TemplateFunctions() {}

  public static Object raiseException(String message) {
    throw new TemplateException(message);
  }

  /** Python strftime for the directives chat templates use (%d %b %B %Y %m %H %M %S %y %%). */
  public static String strftimeNow(String format) {
    return strftime(LocalDateTime.now(), format);
  }

  static String strftime(LocalDateTime t, String format) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        sb.append(c);
        continue;
      }
      char d = format.charAt(++i);
      switch (d) {
        case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
        case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
        case 'Y' -> sb.append(t.getYear());
        case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
        case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'H' -> sb.append(String.format("%02d", t.getHour()));
        case 'M' -> sb.append(String.format("%02d", t.getMinute()));
        case 'S' -> sb.append(String.format("%02d", t.getSecond()));
        case '%' -> sb.append('%');
        default -> sb.append('%').append(d);
      }
    }
    return sb.toString();
  }

  /** A template called raise_exception: the conversation does not fit the model's format. */
  public static final class TemplateException extends IllegalArgumentException {
    public TemplateException(String message) {
      super(message);
    }
  }
}
