package selflengthen.eval;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import selflengthen.method.WordCount;

/**
 * LongBench-Write (LongWriter): rows {@code prompt, type, length}, scored with its own word count
 * (CJK characters + Latin letter runs) by {@link #lengthScore}.
 */
public final class LongBenchWrite implements LengthBenchmark {
  static final String TYPE = "type";
  static final String BUCKET = "length bucket";

  /**
   * S_l for required x and produced y words: {@code 100 * max(0, 1 - (y/x - 1)/3)} when y > x, else
   * {@code 100 * max(0, 1 - (x/y - 1)/2)}; an empty answer (y = 0) scores 0.
   */
  public static double lengthScore(double required, double produced) {
    if (!(required > 0)) {
      throw new IllegalArgumentException("required length must be positive, got " + required);
    }
    if (produced > required) {
      return 100 * Math.max(0, 1 - (produced / required - 1) / 3);
    }
    if (produced <= 0) {
      return 0;
    }
    return 100 * Math.max(0, 1 - (required / produced - 1) / 2);
  }

  @Override
  public String title() {
    return "LongBench-Write";
  }

  @Override
  public String wordCountName() {
    return "longbench-write";
  }

  @Override
  public int countWords(String text) {
    return WordCount.longBenchWrite(text);
  }

  @Override
  public String promptField() {
    return "prompt";
  }

  @Override
  public JudgeRubric judgeRubric() {
    return JudgeRubric.LONGBENCH_WRITE;
  }

  @Override
  public String requiredLengthLabel() {
    return "required length (words)";
  }

  @Override
  public String scale() {
    return "0-100";
  }

  @Override
  public List<String> breakdowns() {
    return List.of(TYPE, BUCKET);
  }

  @Override
  public Optional<String> scatterSeriesBy() {
    return Optional.empty();
  }

  @Override
  public Comparator<String> keyOrder(String breakdown) {
    if (BUCKET.equals(breakdown)) {
      return Comparator.comparingInt(label -> LengthBucket.fromLabel(label).ordinal());
    }
    return Comparator.naturalOrder();
  }

  @Override
  public ScoredRow score(JsonlRow row, String response) {
    row.requiredText("prompt");
    String type = row.requiredText(TYPE);
    double required = row.positiveNumber("length");
    Map<String, String> groups = new LinkedHashMap<>();
    groups.put(TYPE, type);
    groups.put(BUCKET, LengthBucket.of(required).label());
    int words = countWords(response);
    return new ScoredRow(row.line(), groups, required, words, lengthScore(required, words));
  }
}
