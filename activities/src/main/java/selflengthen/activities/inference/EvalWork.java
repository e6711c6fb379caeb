package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.support.Datasets;
import selflengthen.eval.LengthBenchmark;
import selflengthen.eval.QualityJudge;
import selflengthen.method.ChatPrompt;
import selflengthen.model.api.GenerationResult;

/**
 * A benchmark answer: the benchmark's prompt goes to the model as it is (the published scoring
 * scripts send it as the only user turn), the answer is counted with the benchmark's word count and,
 * with a judge, rated. The committed row is the benchmark row plus the answer, so the merged file is
 * what {@code eval --responses} scores.
 */
final class EvalWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(EvalWork.class);

  /** {@code judge} is null when the answers are not rated. */
  record Setup(
      List<JsonNode> rows,
      long firstRow,
      String path,
      LengthBenchmark benchmark,
      Generation generator,
      QualityJudgeFactory judge,
      UnitSeeds seeds) {}

  /** A judge whose sampling draws from the row's seed, so a retried row is rated as before. */
  interface QualityJudgeFactory {
    QualityJudge forSeed(long seed);
  }

  private final Setup s;

  EvalWork(Setup setup) {
    this.s = setup;
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    JsonNode row = s.rows().get((int) (unit.row() - s.firstRow()));
    String field = s.benchmark().promptField();
    String prompt = Datasets.text(row, field, s.path(), unit.row());
    long seed = s.seeds().sample(unit.row());
    ObjectNode out = row.deepCopy();
    out.put("row", unit.row());
    String text;
    String finish;
    try {
      GenerationResult r = s.generator().chat(new ChatPrompt("", prompt, ""), seed, stopped);
      text = r.text();
      finish = r.finishReason() == null ? "stop" : r.finishReason().name().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      // The engine refused the prompt (e.g. longer than its context): an empty answer scores 0.
      log.warn("{} row {}: the engine refused the prompt: {}", s.path(), unit.row(), e.getMessage());
      text = "";
      finish = "error";
    }
    out.put("response", text);
    out.put("words", s.benchmark().countWords(text));
    out.put("finish", finish);
    if (s.judge() != null) {
      if (stopped.getAsBoolean()) {
        throw new java.util.concurrent.CancellationException("shard stopped");
      }
      QualityJudge.Verdict verdict = s.judge().forSeed(seed).judge(prompt, text);
      ObjectNode judged = out.putObject("judge");
      judged.put("attempts", verdict.attempts());
      if (verdict instanceof QualityJudge.Scored scored) {
        ObjectNode scores = judged.putObject("scores");
        scored.scores().forEach(scores::put);
      } else if (verdict instanceof QualityJudge.Failed failed) {
        judged.put("failed", failed.reason());
      }
    }
    return new Outcome(out, 1);
  }

  @Override
  public Unit unitOf(JsonNode row) {
    return new Unit(row.path("row").asLong(), 0);
  }

  @Override
  public int attemptsOf(JsonNode row) {
    return 1;
  }
}
