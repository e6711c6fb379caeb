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

  /** A short name for logs and lineage (checkpoint directory name or endpoint model name). */
  String name();

  @Override
  void close();
}
