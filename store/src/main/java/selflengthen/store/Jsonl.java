package selflengthen.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** The JSON mapper of every JSONL row: one compact line per row, lenient about extra fields. */
final class Jsonl {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .disable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Jsonl() {}

  /** The row as one line of UTF-8 JSON, newline included. */
  static byte[] line(Object row) {
    try {
      byte[] json = MAPPER.writeValueAsBytes(row);
      byte[] line = new byte[json.length + 1];
      System.arraycopy(json, 0, line, 0, json.length);
      line[json.length] = '\n';
      return line;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("row cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
