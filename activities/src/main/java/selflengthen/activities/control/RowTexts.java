package selflengthen.activities.control;

import com.fasterxml.jackson.databind.JsonNode;
import selflengthen.method.LanguageProfile;

/** The produced text of a stage's row and its words, whichever stage wrote it. */
final class RowTexts {
  private RowTexts() {}

  /** The text a row was made for: an extension, else a response, else an instruction. */
  static String text(JsonNode row) {
    for (String field : new String[] {"extended", "response", "instruction"}) {
      JsonNode v = row.get(field);
      if (v != null && v.isTextual()) {
        return v.asText();
      }
    }
    return "";
  }

  /** The row's recorded "words", else the words of its text. */
  static int words(JsonNode row, LanguageProfile profile) {
    JsonNode w = row.get("words");
    return w != null && w.canConvertToInt() ? w.asInt() : profile.countWords(text(row));
  }
}
