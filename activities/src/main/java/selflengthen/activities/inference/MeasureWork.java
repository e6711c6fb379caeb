package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.rows.MeasureRow;
import selflengthen.method.PromptSet;
import selflengthen.model.api.GenerationResult;

/**
 * Measurement: the Generator answers each held-out instruction once, unchecked, so the answer's
 * length shows what the model writes now.
 */
final class MeasureWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(MeasureWork.class);

  record Setup(List<String> instructions, long firstRow, PromptSet prompts, Generation generator, UnitSeeds seeds) {}

  private final Setup s;

  MeasureWork(Setup setup) {
    this.s = setup;
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    String instruction = s.instructions().get((int) (unit.row() - s.firstRow()));
    try {
      GenerationResult r =
          s.generator().chat(s.prompts().respond(instruction), s.seeds().sample(unit.row()), stopped);
      String finish = r.finishReason() == null ? "stop" : r.finishReason().name().toLowerCase(Locale.ROOT);
      int words = s.prompts().profile().countWords(r.text());
      return new Outcome(new MeasureRow(unit.row(), instruction, r.text(), words, finish), 1);
    } catch (IllegalArgumentException e) {
      log.warn("held-out row {}: the engine refused the prompt: {}", unit.row(), e.getMessage());
      return new Outcome(new MeasureRow(unit.row(), instruction, "", 0, "error"), 1);
    }
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
