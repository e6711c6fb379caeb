package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.rows.ExtensionRow;
import selflengthen.method.ExtensionAcceptance;
import selflengthen.method.Paragraphs;
import selflengthen.method.PromptSet;
import selflengthen.method.ShardSeeds;

/**
 * Extension (step 4 of a round), one unit per (kept response, attempt). An attempt makes up to
 * {@code maxTries} tries; a try runs {@code microIterations} micro-iterations from the original
 * response:
 *
 * <ol>
 *   <li>{@code former} = the first half of the current text's paragraphs;
 *   <li>the Extender expands {@code former}; {@code prefix} = the first {@code prefixFraction} of
 *       that expansion's paragraphs;
 *   <li>the Extender expands the whole current text with its answer forced to start with
 *       {@code prefix}; {@code candidate = prefix + continuation};
 *   <li>a candidate that passes the response check and is longer than the best so far becomes the
 *       best and the current text.
 * </ol>
 *
 * The attempt succeeds at the first try whose best has more than {@code min_growth} times the
 * original's words, and is then one output row.
 */
final class ExtendWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(ExtendWork.class);

  /** One kept response of the shard's input. */
  record Kept(String instruction, String response) {}

  /** @param kept the shard's kept responses; unit row r is kept[r - firstRow] */
  record Setup(
      List<Kept> kept,
      long firstRow,
      PromptSet prompts,
      ExtensionAcceptance acceptance,
      Generation extender,
      int maxTries,
      int microIterations,
      double prefixFraction,
      boolean lenientParagraphs,
      UnitSeeds seeds,
      boolean keepTrace) {}

  private final Setup s;

  ExtendWork(Setup setup) {
    this.s = setup;
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    Kept kept = s.kept().get((int) (unit.row() - s.firstRow()));
    long attemptSeed = ShardSeeds.child(s.seeds().sample(unit.row()), "attempt", unit.sub());
    for (int t = 0; t < s.maxTries(); t++) {
      ExtensionAcceptance.Attempt attempt = s.acceptance().start(kept.response());
      long trySeed = ShardSeeds.child(attemptSeed, "try", t);
      try {
        for (int m = 0; m < s.microIterations(); m++) {
          microIteration(kept.instruction(), attempt, ShardSeeds.child(trySeed, "micro", m), stopped);
        }
      } catch (IllegalArgumentException e) {
        // The engine refuses a prompt longer than it holds; every try would hit the same wall.
        log.warn("row {} attempt {}: the engine refused an extension prompt, giving up: {}",
            unit.row(), unit.sub(), e.getMessage());
        return new Outcome(null, 1);
      }
      if (attempt.succeeded()) {
        String best = attempt.best();
        int words = s.prompts().profile().countWords(best);
        int initial = s.prompts().profile().countWords(kept.response());
        if (s.keepTrace()) {
          // The preference pairs' other rejected sides: the texts on the way of this try.
          var trace = selflengthen.method.preference.ExtensionTrace.of(attempt, unit.row(), unit.sub(), kept.instruction());
          return new Outcome(
              new ExtensionRow(unit.row(), unit.sub(), kept.instruction(), kept.response(), best, initial,
                  words, t + 1, trace.steps(), trace.checkRejected()),
              1);
        }
        return new Outcome(
            new ExtensionRow(
                unit.row(), unit.sub(), kept.instruction(), kept.response(), best, initial, words, t + 1),
            1);
      }
    }
    return new Outcome(null, 1);
  }

  private void microIteration(
      String instruction, ExtensionAcceptance.Attempt attempt, long seed, BooleanSupplier stopped) {
    String current = attempt.current();
    String former = s.lenientParagraphs() ? Paragraphs.former(current) : Paragraphs.referenceFormer(current);
    String expansion =
        s.extender()
            .chat(s.prompts().extendFormer(instruction, former), ShardSeeds.child(seed, "former", 0), stopped)
            .text();
    String prefix;
    if (s.lenientParagraphs()) {
      prefix = Paragraphs.prefix(expansion, s.prefixFraction());
      if (prefix.isBlank()) {
        return; // nothing to force the whole-text expansion to start with: no candidate this time
      }
    } else {
      // As the reference: an empty prefix (a one-paragraph expansion) still gives a candidate,
      // the whole-text expansion on its own.
      prefix = Paragraphs.referencePrefix(expansion, s.prefixFraction());
    }
    String continuation =
        s.extender()
            .chat(
                s.prompts().extendWhole(instruction, current, prefix),
                ShardSeeds.child(seed, "whole", 0),
                stopped)
            .text();
    attempt.offer(prefix + continuation);
  }

  @Override
  public Unit unitOf(JsonNode row) {
    return new Unit(row.path("row").asLong(), row.path("attempt").asInt());
  }

  /** Each committed row is one successful extension attempt. */
  @Override
  public int attemptsOf(JsonNode row) {
    return 1;
  }
}
