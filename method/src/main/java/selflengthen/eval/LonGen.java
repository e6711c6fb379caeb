package selflengthen.eval;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import selflengthen.method.WordCount;

/**
 * LonGen (Self-Lengthen's benchmark): rows {@code language, range, type, constraint, query}, scored
 * with the Self-Lengthen word count against the constraint's window (see {@link LengthWindow}).
 * {@code language} and {@code range} only group the report and may be absent.
 */
public final class LonGen implements LengthBenchmark {
  static final String TYPE = "type";
  static final String LANGUAGE = "language";
  static final String RANGE = "range";
  static final String ABSENT = "-";

  @Override
  public String title() {
    return "LonGen";
  }

  @Override
  public String wordCountName() {
    return "self-lengthen";
  }

  @Override
  public int countWords(String text) {
    return WordCount.selfLengthen(text);
  }

  @Override
  public String promptField() {
    return "query";
  }

  @Override
  public JudgeRubric judgeRubric() {
    return JudgeRubric.SELF_LENGTHEN;
  }

  @Override
  public String requiredLengthLabel() {
    return "required length (words; a range at its midpoint)";
  }

  @Override
  public String scale() {
    return "0-1";
  }

  @Override
  public List<String> breakdowns() {
    return List.of(TYPE, LANGUAGE, RANGE);
  }

  @Override
  public Optional<String> scatterSeriesBy() {
    return Optional.of(TYPE);
  }

  @Override
  public Comparator<String> keyOrder(String breakdown) {
    if (TYPE.equals(breakdown)) {
      return Comparator.comparingInt(key -> ConstraintType.fromFieldValue(key).ordinal());
    }
    return Comparator.naturalOrder();
  }

  /** The window a row asks for; malformed rows fail naming the field. */
  public static LengthWindow window(JsonlRow row) {
    ConstraintType type;
    try {
      type = ConstraintType.fromFieldValue(row.requiredText(TYPE));
    } catch (IllegalArgumentException e) {
      throw row.error(TYPE, e.getMessage());
    }
    String constraint = row.requiredText("constraint");
    try {
      return LengthWindow.of(type, constraint);
    } catch (IllegalArgumentException e) {
      throw row.error("constraint", e.getMessage());
    }
  }

  @Override
  public ScoredRow score(JsonlRow row, String response) {
    LengthWindow window = window(row);
    row.requiredText("query");
    Map<String, String> groups = new LinkedHashMap<>();
    groups.put(TYPE, window.type().fieldValue());
    groups.put(LANGUAGE, row.optionalText(LANGUAGE, ABSENT));
    groups.put(RANGE, row.optionalText(RANGE, ABSENT));
    int words = countWords(response);
    return new ScoredRow(row.line(), groups, window.nominal(), words, window.score(words));
  }
}
