package selflengthen.model.api;

import java.util.List;

/**
 * A loaded language model. Implementations are thread-safe: many activity threads share one
 * instance, and concurrent {@link #generate} calls are batched together by the engine.
 */
public interface LanguageModel extends AutoCloseable {

  /** Blocks until the request finishes. */
  GenerationResult generate(GenerationRequest request);

  /**
   * Generation that reports its text as it is produced (for streaming replies). Engines that cannot
   * stream report the whole text once, when it is done.
   */
  default GenerationResult generate(GenerationRequest request, TextListener listener) {
    GenerationResult result = generate(request);
    if (!result.text().isEmpty()) {
      listener.onText(result.text());
    }
    return result;
  }

  ChatTemplate chatTemplate();

  /** Chat convenience: render the messages with the generation prompt, then generate. */
  default GenerationResult chat(
      List<ChatMessage> messages,
      String forcedPrefix,
      SamplingParams sampling,
      int maxNewTokens,
      List<String> stopStrings,
      String adapter) {
    String prompt = chatTemplate().render(messages, true);
    return generate(
        new GenerationRequest(prompt, forcedPrefix, sampling, maxNewTokens, stopStrings, adapter));
  }

  /** Tokens one sequence can hold (prompt and generated text together), or 0 when unknown. */
  default int contextLength() {
    return 0;
  }

  /**
   * The most characters a prompt that fits in the context can have (Long.MAX_VALUE when unknown):
   * longer text is refused by its length, before it is tokenized.
   */
  default long maxPromptChars() {
    return Long.MAX_VALUE;
  }

  /** How many tokens {@code prompt} is fed to the model as, or -1 when this engine cannot tell. */
  default int promptTokens(String prompt) {
    return -1;
  }

  /**
   * Checks that a PEFT adapter directory can be applied to this model (configuration, tensor names
   * and shapes), without loading it; throws IllegalArgumentException or IOException naming the
   * problem. Engines that cannot check accept every directory here and fail at first use.
   */
  default void checkAdapter(java.nio.file.Path dir) throws java.io.IOException {}

  /** A short name for logs and lineage (checkpoint directory name or endpoint model name). */
  String name();

  @Override
  void close();
}
