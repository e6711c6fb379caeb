package selflengthen.model.external;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits a command template into arguments and fills its placeholders. No shell is involved, so a
 * path with spaces stays one argument and nothing in a path is interpreted.
 */
final class CommandTemplate {
  private CommandTemplate() {}

  static List<String> expand(String template, Map<String, String> values) {
    List<String> words = split(template);
    if (words.isEmpty()) {
      throw new IllegalArgumentException("the external trainer command is empty");
    }
    boolean usesConfig = words.stream().anyMatch(word -> word.contains("{config}"));
    List<String> command = new ArrayList<>();
    for (String word : words) {
      String filled = word;
      for (Map.Entry<String, String> value : values.entrySet()) {
        filled = filled.replace("{" + value.getKey() + "}", value.getValue());
      }
      command.add(filled);
    }
    if (!usesConfig) {
      command.add(values.get("config"));
    }
    return command;
  }

  /**
   * White-space separated words; single or double quotes group, a backslash escapes one character.
   */
  static List<String> split(String template) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && i + 1 < template.length()) {
        word.append(template.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (quote != 0) {
      throw new IllegalArgumentException(
          "unbalanced quote in the external trainer command: " + template);
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
