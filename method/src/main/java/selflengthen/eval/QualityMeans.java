package selflengthen.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import selflengthen.v1.QualitySummary;
import selflengthen.v1.ScoreGroup;

/** Per-dimension means of many judgements; failed judgements are counted, not averaged. */
public final class QualityMeans {
  private QualityMeans() {}

  public static QualitySummary summarize(JudgeRubric rubric, List<QualityJudge.Verdict> verdicts) {
    List<QualityJudge.Scored> scored =
        verdicts.stream()
            .filter(QualityJudge.Scored.class::isInstance)
            .map(QualityJudge.Scored.class::cast)
            .toList();
    QualitySummary.Builder summary =
        QualitySummary.newBuilder()
            .setRubric(rubric.name())
            .setScored(scored.size())
            .setFailed(verdicts.size() - scored.size());
    if (scored.isEmpty()) {
      return summary.build();
    }
    Map<String, Double> means = new LinkedHashMap<>();
    for (String dimension : rubric.dimensions()) {
      double mean = scored.stream().mapToDouble(v -> v.scores().get(dimension)).average().orElseThrow();
      means.put(dimension, mean);
      summary.addByDimension(
          ScoreGroup.newBuilder().setKey(dimension).setCount(scored.size()).setMean(mean));
    }
    summary.setOverall(means.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow());
    if (rubric.equals(JudgeRubric.LONGBENCH_WRITE)) {
      summary.setLongbenchWriteSq(LongBenchWriteQuality.sq(means));
    }
    return summary.build();
  }
}
