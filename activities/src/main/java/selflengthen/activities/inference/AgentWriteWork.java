package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.rows.AgentWriteRow;
import selflengthen.method.ChatPrompt;
import selflengthen.method.LanguageProfile;
import selflengthen.method.ShardSeeds;
import selflengthen.method.agentwrite.AgentWritePrompts;
import selflengthen.method.agentwrite.AgentWriter;
import selflengthen.method.agentwrite.Plan;
import selflengthen.method.agentwrite.PlanParser;
import selflengthen.store.DataStore;

/**
 * AgentWrite, one unit per (instruction, sample): a plan (asked for up to {@code maxTries} times
 * until it parses into 1 to {@link AgentWriter#MAX_STEPS} steps), then one call per planned
 * paragraph. The plan answer and each paragraph are written to the store as soon as they exist;
 * a unit run again reads them back and only writes what is missing, with the same seeds, so a
 * retried shard gives the text the first attempt would have.
 */
final class AgentWriteWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(AgentWriteWork.class);
  static final String PLAN = "plan.txt";
  /** How many plan answers it took to get one that parses. */
  static final String PLAN_TRIES = "plan_tries.txt";

  /**
   * @param instructions the shard's instructions; unit row r is instructions[r - firstRow]
   * @param dir the store directory under which each unit gets its own (row-&lt;r&gt;-&lt;s&gt;)
   */
  record Setup(
      List<String> instructions,
      long firstRow,
      LanguageProfile profile,
      AgentWritePrompts prompts,
      Generation generator,
      int maxTries,
      DataStore store,
      String dir,
      UnitSeeds seeds) {}

  private final Setup s;
  private final AgentWriter writer;

  AgentWriteWork(Setup setup) {
    this.s = setup;
    this.writer = new AgentWriter(setup.prompts());
  }

  static String unitDir(String dir, long row, int sample) {
    return String.format(Locale.ROOT, "%s/row-%06d-%d", dir, row, sample);
  }

  static String paragraphFile(String unitDir, int step) {
    return String.format(Locale.ROOT, "%s/paragraph-%03d.txt", unitDir, step);
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    String instruction = s.instructions().get((int) (unit.row() - s.firstRow()));
    String dir = unitDir(s.dir(), unit.row(), unit.sub());
    long seed = ShardSeeds.child(s.seeds().sample(unit.row()), "agentwrite", unit.sub());
    int calls = 0;
    Plan plan = null;
    String planFile = dir + "/" + PLAN;
    String planTries = dir + "/" + PLAN_TRIES;
    if (s.store().exists(planFile)) {
      plan = PlanParser.parse(s.store().readString(planFile));
      calls = s.store().exists(planTries) ? Integer.parseInt(s.store().readString(planTries).strip()) : 1;
    } else {
      for (int t = 0; t < s.maxTries() && plan == null; t++) {
        String answer;
        try {
          answer = s.generator().chat(prompt(s.prompts().plan(instruction)),
              ShardSeeds.child(seed, "plan", t), stopped).text();
        } catch (IllegalArgumentException e) {
          log.warn("row {}: the engine refused the plan prompt, giving up: {}", unit.row(), e.getMessage());
          return new Outcome(null, calls + 1);
        }
        calls++;
        Plan parsed = PlanParser.parse(answer);
        if (AgentWriter.writable(parsed)) {
          s.store().writeString(planTries, Integer.toString(calls));
          s.store().writeString(planFile, answer);
          plan = parsed;
        }
      }
      if (plan == null) {
        return new Outcome(null, calls);
      }
    }
    List<String> written = readAll(dir, plan.steps().size());
    AgentWriter.Result result;
    try {
      result = writer.continueWriting(instruction, plan, written,
          (step, text) -> s.generator().chat(prompt(text), ShardSeeds.child(seed, "paragraph", step), stopped).text(),
          (step, paragraph) -> s.store().writeString(paragraphFile(dir, step), paragraph),
          stopped);
    } catch (IllegalArgumentException e) {
      log.warn("row {}: the engine refused a paragraph prompt, keeping what was written: {}", unit.row(), e.getMessage());
      written = readAll(dir, plan.steps().size());
      result = new AgentWriter.Result(written, false, 0);
    }
    // Every call the answer took, also those of an earlier attempt (the same whether resumed or not).
    calls += result.paragraphs().size() + (result.complete() ? 0 : 1);
    if (result.paragraphs().isEmpty()) {
      return new Outcome(null, Math.max(1, calls));
    }
    String text = result.text();
    return new Outcome(
        new AgentWriteRow(unit.row(), unit.sub(), instruction, text, s.profile().countWords(text),
            Math.max(1, calls), result.paragraphs().size(), plan.totalWords(), result.complete(), dir),
        Math.max(1, calls));
  }

  /** The paragraphs already in the store, in order, at most {@code max}. */
  private List<String> readAll(String dir, int max) {
    List<String> out = new ArrayList<>();
    while (out.size() < max && s.store().exists(paragraphFile(dir, out.size()))) {
      out.add(s.store().readString(paragraphFile(dir, out.size())));
    }
    return out;
  }

  private static ChatPrompt prompt(String user) {
    return new ChatPrompt("", user, "");
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
