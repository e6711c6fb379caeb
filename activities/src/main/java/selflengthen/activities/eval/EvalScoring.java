package selflengthen.activities.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import selflengthen.activities.RunPaths;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.Datasets;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.eval.Benchmark;
import selflengthen.eval.EvalInputException;
import selflengthen.eval.EvalReport;
import selflengthen.eval.JudgeRubric;
import selflengthen.eval.LengthEvaluation;
import selflengthen.eval.QualityJudge;
import selflengthen.eval.QualityMeans;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.v1.EvalScores;
import selflengthen.v1.QualitySummary;
import selflengthen.v1.ScoreEvalTask;

/**
 * scoreEval: the generated answers scored exactly as {@code selflengthen eval --responses} scores a
 * file (the same rows, formula and word count), the judge's ratings averaged per dimension, and the
 * report written into the store. The scores are recorded against the report's JSON, so a repeated
 * call (a retry, a resumed run) returns them without scoring again.
 */
final class EvalScoring {
  private final DataStore store;

  EvalScoring(DataStore store) {
    this.store = store;
  }

  EvalScores score(ScoreEvalTask task) {
    String dir = task.getOutputDir();
    String json = dir + "/" + RunPaths.EVAL_REPORT_STEM + ".eval.json";
    var done = RecordedResults.completed(store, json, EvalScores.getDefaultInstance());
    if (done.isPresent()) {
      return done.get();
    }
    var spec = task.getContext().getSpec();
    Benchmark benchmark = Benchmark.fromCliName(spec.getEvaluation().getFormat());
    String responses = task.getResponses().getPath();
    Datasets.require(store, responses);
    LengthEvaluation.Result result;
    try {
      result = LengthEvaluation.scoreResponses(benchmark, store.resolve(responses));
    } catch (EvalInputException e) {
      throw ActivityErrors.badInput("scoring " + responses + ": " + e.getMessage(), e);
    }
    // The summary names the file as the store knows it, not this machine's absolute path.
    result = new LengthEvaluation.Result(
        benchmark, result.summary().toBuilder().setResponses(responses).build(), result.rows());
    QualitySummary quality =
        spec.getEvaluation().getJudge()
            ? quality(benchmark.scorer().judgeRubric(), responses).toBuilder()
                .setJudgeModel(judgeModel(spec.getModels().getJudge())).build()
            : null;
    EvalReport.Written written;
    try {
      written = EvalReport.write(result, store.resolve(dir), RunPaths.EVAL_REPORT_STEM, quality);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the evaluation report under " + dir + ": " + e.getMessage(), e);
    }
    EvalScores.Builder scores =
        EvalScores.newBuilder().setLength(written.summary()).setResponses(task.getResponses());
    List<Path> files = new ArrayList<>(written.files());
    if (quality != null) {
      scores.setQuality(quality);
      files.add(2, store.resolve(dir).resolve(RunPaths.EVAL_REPORT_STEM + ".quality.json"));
    }
    for (Path f : files) {
      scores.addReportFiles(store.relativize(f));
    }
    EvalScores built = scores.build();
    RecordedResults.record(
        store,
        json,
        built.getLength().getCount(),
        Lineages.of(task.getContext(), List.of(InputRef.of(task.getResponses()))),
        built);
    return built;
  }

  /** How a report names the judge: its checkpoint, or endpoint and model name. */
  static String judgeModel(selflengthen.v1.ModelRef judge) {
    if (!judge.getEndpoint().isEmpty()) {
      return judge.getModelName() + " at " + judge.getEndpoint();
    }
    return judge.getPath() + (judge.getAdapter().isEmpty() ? "" : " + adapter " + judge.getAdapter());
  }

  /** The judge's verdicts as the eval shards recorded them in the rows. */
  private QualitySummary quality(JudgeRubric rubric, String responses) {
    List<QualityJudge.Verdict> verdicts = new ArrayList<>();
    for (JsonNode row : store.readJsonl(responses)) {
      JsonNode judge = row.path("judge");
      int attempts = judge.path("attempts").asInt();
      JsonNode ratings = judge.path("scores");
      if (ratings.isObject()) {
        Map<String, Double> byDimension = new LinkedHashMap<>();
        ratings.fields().forEachRemaining(e -> byDimension.put(e.getKey(), e.getValue().asDouble()));
        verdicts.add(new QualityJudge.Scored(byDimension, "", attempts));
      } else {
        verdicts.add(new QualityJudge.Failed(judge.path("failed").asText("not judged"), "", attempts));
      }
    }
    return QualityMeans.summarize(rubric, verdicts);
  }

}
