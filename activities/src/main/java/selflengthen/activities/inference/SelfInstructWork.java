package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.rows.InstructionRow;
import selflengthen.method.ChatPrompt;
import selflengthen.method.InstructionCandidates;
import selflengthen.method.NearDuplicates;
import selflengthen.method.PromptSet;
import selflengthen.method.ShardSeeds;

/**
 * Self-instruct (step 1 of a round), one requested instruction per unit: up to {@code maxTries}
 * few-shot prompts, each with two pool instructions drawn with the unit's seeded random; a candidate
 * is kept when it parses, has a word count inside the window, is no near duplicate of a pool
 * instruction, and the judge (when on) answers yes.
 */
final class SelfInstructWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(SelfInstructWork.class);

  /** What a unit needs from its shard. */
  record Setup(
      List<String> pool,
      NearDuplicates nearDuplicates,
      InstructionCandidates candidates,
      PromptSet prompts,
      Generation generator,
      Generation judge,
      int judgeLongWords,
      int fewShot,
      int maxTries,
      UnitSeeds seeds) {}

  private final Setup s;

  SelfInstructWork(Setup setup) {
    this.s = setup;
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    long seed = s.seeds().sample(unit.row());
    for (int t = 0; t < s.maxTries(); t++) {
      long trySeed = ShardSeeds.child(seed, "try", t);
      SplittableRandom random = ShardSeeds.random(ShardSeeds.child(trySeed, "examples", 0));
      ChatPrompt prompt = s.prompts().selfInstruct(FewShot.draw(s.pool(), s.fewShot(), random));
      String completion;
      try {
        completion = s.generator().chat(prompt, ShardSeeds.child(trySeed, "generate", 0), stopped).text();
      } catch (IllegalArgumentException e) {
        log.warn("row {}: the engine refused the self-instruct prompt, giving up: {}", unit.row(), e.getMessage());
        return new Outcome(null, t + 1);
      }
      Optional<String> candidate = InstructionCandidates.parse(completion);
      if (candidate.isEmpty() || !s.candidates().withinWindow(candidate.get())) {
        continue;
      }
      String instruction = candidate.get();
      boolean duplicate;
      synchronized (s.nearDuplicates()) {
        duplicate = s.nearDuplicates().isNearDuplicate(instruction);
      }
      if (duplicate || !judgedLong(instruction, trySeed, stopped)) {
        continue;
      }
      int words = s.prompts().profile().countWords(instruction);
      return new Outcome(new InstructionRow(unit.row(), instruction, words, t + 1), t + 1);
    }
    return new Outcome(null, s.maxTries());
  }

  private boolean judgedLong(String instruction, long trySeed, BooleanSupplier stopped) {
    if (s.judge() == null) {
      return true;
    }
    ChatPrompt question = s.prompts().judgeInstruction(instruction, s.judgeLongWords());
    String answer = s.judge().chat(question, ShardSeeds.child(trySeed, "judge", 0), stopped).text();
    return InstructionCandidates.parseJudge(answer) == InstructionCandidates.JudgeAnswer.YES;
  }

  @Override
  public Unit unitOf(JsonNode row) {
    return new Unit(row.path("row").asLong(), 0);
  }

  @Override
  public int attemptsOf(JsonNode row) {
    return row.path("tries").asInt(1);
  }
}
