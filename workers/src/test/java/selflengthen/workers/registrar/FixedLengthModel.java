package selflengthen.workers.registrar;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import selflengthen.activities.models.ModelProvider;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.v1.ModelRef;

/**
 * A model double for evaluations: answers every prompt with exactly {@code words} words, and a
 * quality-judge prompt with fixed ratings. A prompt containing {@link #refuse} fails for good (a
 * non-retryable activity failure), until the field is cleared. Serves itself for every ref.
 */
final class FixedLengthModel implements LanguageModel, ModelProvider {
  /** The ratings of the Self-Lengthen rubric it gives every answer. */
  static final String JUDGEMENT =
      "Sure. {\"analysis\": \"fine\", \"relevance\": 8, \"coherence\": 7, \"accuracy\": 6, \"consistency\": 9,"
          + " \"clarity\": 8, \"creativity\": 5, \"engagement\": 7}";

  final int words;
  final AtomicInteger answers = new AtomicInteger();
  final AtomicInteger judgements = new AtomicInteger();
  volatile String refuse;

  FixedLengthModel(int words) {
    this.words = words;
  }

  @Override
  public GenerationResult generate(GenerationRequest request) {
    String prompt = request.prompt();
    if (prompt.contains("You are reviewing how well an AI assistant answered")) {
      judgements.incrementAndGet();
      return new GenerationResult(JUDGEMENT, prompt.length(), 40, FinishReason.STOP, new int[0]);
    }
    String stop = refuse;
    if (stop != null && prompt.contains(stop)) {
      throw ActivityErrors.badInput("scripted refusal of '" + stop + "'");
    }
    answers.incrementAndGet();
    String text = ("word ".repeat(words)).strip() + ".";
    return new GenerationResult(text, prompt.length(), words, FinishReason.STOP, new int[0]);
  }

  @Override
  public ChatTemplate chatTemplate() {
    return (List<ChatMessage> messages, boolean addGenerationPrompt) -> {
      StringBuilder b = new StringBuilder();
      for (ChatMessage m : messages) {
        b.append(m.role()).append(": ").append(m.content()).append('\n');
      }
      return b.toString();
    };
  }

  @Override
  public String name() {
    return "fixed-" + words;
  }

  @Override
  public void close() {}

  @Override
  public LanguageModel model(ModelRef ref, int maxBatchSize) {
    return this;
  }

  /** Like a pool without an OpenAI backend: endpoint refs are refused. */
  @Override
  public void check(String field, ModelRef ref) {
    if (!ref.getEndpoint().isEmpty()) {
      throw ActivityErrors.badInput(field + ".endpoint " + ref.getEndpoint() + ": this pool serves no endpoints");
    }
  }
}
