package selflengthen.eval;

import java.util.List;
import java.util.Map;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;

/**
 * Asks a judge model to rate one answer on a {@link JudgeRubric}. Output it cannot read is asked
 * for again, up to {@code maxAttempts} times with a new seed each time, and then recorded as a
 * {@link Failed} verdict: bad judge output never throws. An exception from the model itself (an
 * engine or network fault) is not judge output and propagates, so the caller's retry policy applies.
 */
public final class QualityJudge {

  /**
   * How the judge samples. Attempt k (from 0) uses seed {@code sampling.seed() + k}, so a retry is
   * a different draw but the whole judgement is reproducible.
   */
  public record Settings(int maxAttempts, SamplingParams sampling, int maxNewTokens, String adapter) {
    public Settings {
      if (maxAttempts < 1 || maxNewTokens < 1 || sampling == null) {
        throw new IllegalArgumentException("judge settings need attempts >= 1, tokens >= 1 and sampling");
      }
    }

    /** Three attempts, temperature 0.5 (as LongWriter's judge calls), 1024 new tokens, base model. */
    public static Settings defaults() {
      return new Settings(3, new SamplingParams(0.5f, 0, 1f, 1f, 0L), 1024, null);
    }
  }

  /** One judgement. */
  public sealed interface Verdict permits Scored, Failed {
    int attempts();
  }

  public record Scored(Map<String, Double> scores, String analysis, int attempts) implements Verdict {
    public Scored {
      scores = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scores));
    }
  }

  /** The judge never gave usable ratings: why, with its last output for inspection. */
  public record Failed(String reason, String lastOutput, int attempts) implements Verdict {}

  private final LanguageModel model;
  private final JudgeRubric rubric;
  private final JudgeOutputParser parser;
  private final Settings settings;

  public QualityJudge(LanguageModel model, JudgeRubric rubric, Settings settings) {
    this.model = model;
    this.rubric = rubric;
    this.parser = new JudgeOutputParser(rubric);
    this.settings = settings;
  }

  public JudgeRubric rubric() {
    return rubric;
  }

  public Verdict judge(String query, String response) {
    List<ChatMessage> messages = List.of(ChatMessage.user(rubric.prompt(query, response)));
    String reason = "";
    String lastOutput = "";
    for (int attempt = 0; attempt < settings.maxAttempts(); attempt++) {
      SamplingParams sampling = settings.sampling().withSeed(settings.sampling().seed() + attempt);
      GenerationResult result =
          model.chat(messages, "", sampling, settings.maxNewTokens(), List.of(), settings.adapter());
      lastOutput = result == null || result.text() == null ? "" : result.text();
      JudgeOutputParser.Parse parse = parser.parse(lastOutput);
      if (parse instanceof JudgeOutputParser.Scores scores) {
        return new Scored(scores.byDimension(), scores.analysis(), attempt + 1);
      }
      reason = ((JudgeOutputParser.Failure) parse).reason();
      if (result != null && result.finishReason() == FinishReason.LENGTH) {
        reason += " (output cut at " + settings.maxNewTokens() + " new tokens)";
      }
    }
    return new Failed(reason, lastOutput, settings.maxAttempts());
  }
}
