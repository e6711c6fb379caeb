package selflengthen.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.ScoreBreakdown;
import selflengthen.v1.ScoreGroup;

/** Scores a file of answers produced elsewhere and sums the scores up per breakdown. */
public final class LengthEvaluation {
  static final String RESPONSE = "response";

  private LengthEvaluation() {}

  /** The scored rows and their summary. */
  public record Result(Benchmark benchmark, LengthEvalSummary summary, List<ScoredRow> rows) {}

  /**
   * Reads {@code responses} (benchmark rows, each with a {@code response} field) and scores every
   * row.
   *
   * @throws EvalInputException naming file, line and field for the first malformed row
   */
  public static Result scoreResponses(Benchmark benchmark, Path responses) {
    List<ScoredRow> rows = new ArrayList<>();
    for (JsonlRow row : JsonlRows.read(responses)) {
      rows.add(benchmark.scorer().score(row, row.presentText(RESPONSE)));
    }
    return new Result(benchmark, summarize(benchmark, responses.toString(), rows), rows);
  }

  public static LengthEvalSummary summarize(Benchmark benchmark, String source, List<ScoredRow> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("nothing to summarize: no scored rows");
    }
    LengthBenchmark scorer = benchmark.scorer();
    LengthEvalSummary.Builder summary =
        LengthEvalSummary.newBuilder()
            .setBenchmark(benchmark.cliName())
            .setResponses(source)
            .setWordCount(scorer.wordCountName())
            .setScale(scorer.scale())
            .setCount(rows.size())
            .setOverall(rows.stream().mapToDouble(ScoredRow::score).average().orElseThrow())
            .setMeanRequiredWords(rows.stream().mapToDouble(ScoredRow::required).average().orElseThrow())
            .setMeanProducedWords(rows.stream().mapToDouble(ScoredRow::produced).average().orElseThrow());
    for (String by : scorer.breakdowns()) {
      if (rows.stream().allMatch(row -> LonGen.ABSENT.equals(row.groups().get(by)))) {
        continue; // a grouping field no row carries says nothing
      }
      Map<String, List<Double>> byKey = new TreeMap<>(scorer.keyOrder(by));
      for (ScoredRow row : rows) {
        byKey.computeIfAbsent(row.groups().get(by), key -> new ArrayList<>()).add(row.score());
      }
      ScoreBreakdown.Builder breakdown = ScoreBreakdown.newBuilder().setBy(by);
      byKey.forEach(
          (key, scores) ->
              breakdown.addGroups(
                  ScoreGroup.newBuilder()
                      .setKey(key)
                      .setCount(scores.size())
                      .setMean(scores.stream().mapToDouble(Double::doubleValue).average().orElseThrow())));
      summary.addBreakdowns(breakdown);
    }
    return summary.build();
  }
}
