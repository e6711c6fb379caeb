package selflengthen.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a JSONL file into rows that remember their 1-based line numbers. Blank lines are skipped. */
public final class JsonlRows {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonlRows() {}

  public static List<JsonlRow> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new EvalInputException(file + ": no such file");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<JsonlRow> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String text = lines.get(i);
      if (text.isBlank()) {
        continue;
      }
      long line = i + 1L;
      JsonNode node;
      try {
        node = MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        throw EvalInputException.atLine(
            file, line, "not valid JSON (" + e.getOriginalMessage() + ")", e);
      }
      if (!node.isObject()) {
        throw EvalInputException.atLine(file, line, "expected a JSON object, got " + node, null);
      }
      rows.add(new JsonlRow(file, line, node));
    }
    if (rows.isEmpty()) {
      throw new EvalInputException(file + ": no rows");
    }
    return rows;
  }
}
