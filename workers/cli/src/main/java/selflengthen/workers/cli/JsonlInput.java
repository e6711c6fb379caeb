package selflengthen.workers.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSONL files of the {@code data} tools: one JSON object per line, UTF-8. Every row is read and
 * checked before anything is printed, so bad input gives one error line and no partial output.
 * Blank lines are skipped; row numbers are 0-based line numbers of the file.
 */
final class JsonlInput {
  static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Printed lines escape every non-ASCII character: a reason quoting a line may hold U+2028 or
   * U+0085, which line readers such as Python's splitlines() would cut the JSON at.
   */
  static final ObjectWriter LINE = JSON.writer().with(JsonWriteFeature.ESCAPE_NON_ASCII);

  /** A row and its 0-based line number. */
  record Row(long line, ObjectNode node) {
    /** The text field {@code name}; a missing or non-text field is bad input. */
    String text(Path file, String name) {
      JsonNode v = node.get(name);
      if (v == null || !v.isTextual()) {
        throw new CliException(
            file + " line " + (line + 1) + ": needs a text field \"" + name + "\""
                + (v == null ? "" : " (found " + v.getNodeType().toString().toLowerCase() + ")"));
      }
      return v.asText();
    }
  }

  private JsonlInput() {}

  static List<Row> read(Path file) {
    List<Row> rows = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long line = 0;
      for (String text = in.readLine(); text != null; text = in.readLine(), line++) {
        if (text.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
          throw new CliException(
              file + " line " + (line + 1) + ": not JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(node instanceof ObjectNode object)) {
          throw new CliException(file + " line " + (line + 1) + ": not a JSON object");
        }
        rows.add(new Row(line, object));
      }
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + file);
    } catch (CharacterCodingException e) {
      throw new CliException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
    return rows;
  }

  /** One printed line: {@code node} as ASCII-only JSON. */
  static String line(JsonNode node) {
    try {
      return LINE.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes rows as JSONL (UTF-8, non-ASCII as is). */
  static void write(Path file, List<? extends JsonNode> rows) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (JsonNode row : rows) {
          out.write(JSON.writeValueAsString(row));
          out.write('\n');
        }
      }
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage());
    }
  }
}
