package selflengthen.activities.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import selflengthen.spec.SpecValidator;
import selflengthen.store.DataStore;
import selflengthen.store.StoreException;
import selflengthen.store.UnsafePathException;
import selflengthen.v1.DatasetRef;

/** Reading an activity's input datasets; a missing or unreadable input is bad input, named. */
public final class Datasets {
  private Datasets() {}

  /** Rows [first, first + count) of a JSONL dataset (blank lines skipped). */
  public static List<JsonNode> slice(DataStore store, DatasetRef ref, long first, long count) {
    require(store, ref.getPath());
    try (Stream<JsonNode> rows = store.streamJsonl(ref.getPath(), JsonNode.class)) {
      return rows.skip(first).limit(count).toList();
    } catch (UnsafePathException e) {
      throw ActivityErrors.badInput(e.getMessage(), e);
    } catch (StoreException e) {
      throw ActivityErrors.badInput("input " + ref.getPath() + ": " + e.getMessage(), e);
    }
  }

  /** Every row of a JSONL dataset. */
  public static List<JsonNode> all(DataStore store, DatasetRef ref) {
    return slice(store, ref, 0, Long.MAX_VALUE);
  }

  /** Rows of a JSONL dataset, counted without parsing them. */
  public static long count(DataStore store, String path) {
    require(store, path);
    try (Stream<String> lines = Files.lines(store.resolve(path))) {
      return lines.filter(l -> !l.isBlank()).count();
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      throw new StoreException("cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /** The instruction text of a row ("instruction", "query" or "prompt"), or bad input naming the row. */
  public static String instruction(JsonNode row, String path, long index) {
    String text = SpecValidator.instruction(row);
    if (text == null) {
      throw ActivityErrors.badInput(path + " row " + index + " has no text in any of the fields "
          + String.join(", ", SpecValidator.INSTRUCTION_FIELDS));
    }
    return text;
  }

  /** A text field of a row, or bad input naming the field and row. */
  public static String text(JsonNode row, String field, String path, long index) {
    JsonNode v = row.get(field);
    if (v == null || !v.isTextual()) {
      throw ActivityErrors.badInput(path + " row " + index + " has no text field '" + field + "'");
    }
    return v.asText();
  }

  /** Fails with BAD_INPUT naming the path when a dataset is missing or its path is unsafe. */
  public static void require(DataStore store, String path) {
    boolean exists;
    try {
      exists = store.exists(path);
    } catch (UnsafePathException e) {
      throw ActivityErrors.badInput(e.getMessage(), e);
    }
    if (!exists) {
      throw ActivityErrors.badInput("input " + path + " not found in the data store " + store.root());
    }
  }
}
