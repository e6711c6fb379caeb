package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.BooleanSupplier;

/** What a shard does for each of its units; called from several threads at once. */
interface UnitWork {
  /** A unit's result: the row to commit (null when the unit produced nothing) and its tries. */
  record Outcome(Object row, int attempts) {}

  /**
   * Does one unit. Must depend only on the unit and the shard's inputs (not on other units or
   * timing), so a retried shard redoes a unit exactly. Checks {@code stopped} before each model call.
   */
  Outcome run(Unit unit, BooleanSupplier stopped) throws Exception;

  /** The unit a committed row belongs to. */
  Unit unitOf(JsonNode row);

  /** What a committed row counts toward the shard's attempts (when a retry finds it). */
  int attemptsOf(JsonNode row);
}
