package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.rows.LengthRewriteRow;
import selflengthen.method.InstructionCandidates;
import selflengthen.method.LanguageProfile;
import selflengthen.method.LengthRewrite;
import selflengthen.method.PromptSet;
import selflengthen.method.ShardSeeds;

/**
 * Length control's LLM rewrite, one plan row per unit: up to {@code tries} rewrites by the
 * length_control model; the first that keeps every number of the limit is the row's query, else the
 * appended-sentence fallback.
 */
final class RewriteWork implements UnitWork {
  private static final Logger log = LoggerFactory.getLogger(RewriteWork.class);

  record Setup(List<JsonNode> plan, long firstRow, PromptSet runPrompts, Generation model, int tries, UnitSeeds seeds) {}

  private final Setup s;

  RewriteWork(Setup setup) {
    this.s = setup;
  }

  @Override
  public Outcome run(Unit unit, BooleanSupplier stopped) {
    JsonNode p = s.plan().get((int) (unit.row() - s.firstRow()));
    List<String> numbers = new ArrayList<>();
    p.path("numbers").forEach(n -> numbers.add(n.asText()));
    LengthRewrite.Limit limit = new LengthRewrite.Limit(p.path("limit").asText(), numbers);
    LanguageProfile language = "zh".equals(p.path("language").asText()) ? LanguageProfile.ZH : LanguageProfile.EN;
    // The rewrite prompt in the row's language (the run's overrides when the languages agree).
    PromptSet prompts = language == s.runPrompts().profile() ? s.runPrompts() : PromptSet.defaults(language);
    String query = p.path("query").asText();
    long seed = s.seeds().sample(unit.row());
    for (int t = 0; t < s.tries(); t++) {
      String text;
      try {
        text = s.model().chat(LengthRewrite.prompt(prompts, query, limit), ShardSeeds.child(seed, "rewrite", t), stopped).text();
      } catch (IllegalArgumentException e) {
        log.warn("length-control row {}: the engine refused the rewrite prompt: {}", unit.row(), e.getMessage());
        break;
      }
      String rewrite = InstructionCandidates.pyStrip(text);
      if (LengthRewrite.keepsNumbers(rewrite, limit)) {
        return new Outcome(row(p, unit.row(), rewrite, true, t + 1), t + 1);
      }
    }
    return new Outcome(row(p, unit.row(), p.path("fallback").asText(), false, s.tries()), s.tries());
  }

  private static LengthRewriteRow row(JsonNode p, long row, String instruction, boolean rewritten, int tries) {
    return new LengthRewriteRow(row, instruction, p.path("response").asText(), p.path("words").asInt(),
        p.path("type").asText(), rewritten, tries);
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
