package selflengthen.eval;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** How one benchmark reads its rows and scores a response's length. */
public interface LengthBenchmark {

  /** Display name, e.g. "LonGen". */
  String title();

  /** Which word count scores it: "self-lengthen" or "longbench-write". */
  String wordCountName();

  int countWords(String text);

  /** The field holding the text the model answers ("query" or "prompt"). */
  String promptField();

  /** The rubric its answers' quality is judged on. */
  JudgeRubric judgeRubric();

  /** The x-axis title of the length plot: what "required" means for this benchmark. */
  String requiredLengthLabel();

  /** "0-1" or "0-100". */
  String scale();

  /** The breakdowns of the report, in display order; each gets a bar chart. */
  List<String> breakdowns();

  /** The breakdown whose keys become separate series of the length scatter plot, if any. */
  Optional<String> scatterSeriesBy();

  /** Order of the keys within a breakdown. */
  Comparator<String> keyOrder(String breakdown);

  /**
   * Scores {@code response} against the row's length requirement.
   *
   * @throws EvalInputException naming the file, line and field when the row is malformed
   */
  ScoredRow score(JsonlRow row, String response);
}
