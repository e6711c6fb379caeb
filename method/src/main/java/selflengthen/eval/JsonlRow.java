package selflengthen.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** One JSON object of a JSONL file, with where it came from for error messages. */
public record JsonlRow(Path file, long line, JsonNode node) {

  /** A string field that must be present and not blank. */
  public String requiredText(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw EvalInputException.atField(file, line, field, "is missing");
    }
    if (!value.isTextual()) {
      throw EvalInputException.atField(file, line, field, "must be a string, got " + value);
    }
    if (value.asText().isBlank()) {
      throw EvalInputException.atField(file, line, field, "is empty");
    }
    return value.asText();
  }

  /** A string field that must be present; an empty string is allowed (an empty answer). */
  public String presentText(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw EvalInputException.atField(file, line, field, "is missing");
    }
    if (!value.isTextual()) {
      throw EvalInputException.atField(file, line, field, "must be a string, got " + value);
    }
    return value.asText();
  }

  /** A string field that may be absent; then the fallback. */
  public String optionalText(String field, String fallback) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? fallback : value.asText();
  }

  /** A number (or a string holding one) that must be greater than zero. */
  public double positiveNumber(String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw EvalInputException.atField(file, line, field, "is missing");
    }
    double number;
    if (value.isNumber()) {
      number = value.asDouble();
    } else if (value.isTextual()) {
      try {
        number = Double.parseDouble(value.asText().strip());
      } catch (NumberFormatException e) {
        throw EvalInputException.atField(file, line, field, "must be a number, got " + value);
      }
    } else {
      throw EvalInputException.atField(file, line, field, "must be a number, got " + value);
    }
    if (!(number > 0) || Double.isInfinite(number)) {
      throw EvalInputException.atField(file, line, field, "must be greater than 0, got " + value);
    }
    return number;
  }

  public EvalInputException error(String field, String problem) {
    return EvalInputException.atField(file, line, field, problem);
  }
}
