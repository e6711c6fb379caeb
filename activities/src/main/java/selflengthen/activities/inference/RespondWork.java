package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.rows.ResponseRow;
import selflengthen.method.ChatPrompt;
import selflengthen.method.PromptSet;
import selflengthen.method.ResponseCheck;
import selflengthen.method.ShardSeeds;

/**
 * Initial responses (step 2 of a round), one unit per (instruction, sample): the Generator answers
 * until a response passes the response check, up to {@code maxTries} times.
 */
final class RespondWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(RespondWork.class);

  /** @param instructions the shard's instructions; unit row r is instructions[r - firstRow] */
  record Setup(
      java.util.List<String> instructions,
      long firstRow,
      PromptSet prompts,
      ResponseCheck check,
      Generation generator,
      int maxTries,
      UnitSeeds seeds) {}

  private final Setup s;

  RespondWork(Setup setup) {
    this.s = setup;
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    String instruction = s.instructions().get((int) (unit.row() - s.firstRow()));
    ChatPrompt prompt = s.prompts().respond(instruction);
    long seed = ShardSeeds.child(s.seeds().sample(unit.row()), "response", unit.sub());
    for (int t = 0; t < s.maxTries(); t++) {
      String response;
      try {
        response = s.generator().chat(prompt, ShardSeeds.child(seed, "try", t), stopped).text();
      } catch (IllegalArgumentException e) {
        log.warn("row {}: the engine refused the prompt, giving up: {}", unit.row(), e.getMessage());
        return new Outcome(null, t + 1);
      }
      if (s.check().passes(response)) {
        int words = s.prompts().profile().countWords(response);
        return new Outcome(
            new ResponseRow(unit.row(), unit.sub(), instruction, response, words, t + 1), t + 1);
      }
    }
    return new Outcome(null, s.maxTries());
  }

  @Override
  public Unit unitOf(JsonNode row) {
    return new Unit(row.path("row").asLong(), row.path("sample").asInt());
  }

  @Override
  public int attemptsOf(JsonNode row) {
    return row.path("tries").asInt(1);
  }
}
