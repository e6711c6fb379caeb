package selflengthen.model.api;

import java.util.List;

/**
 * A raw completion request. {@code prompt} is the full text given to the model (for chat, the output
 * of {@link ChatTemplate#render}); {@code forcedPrefix}, when not empty, is appended to the prompt and
 * the model continues from it (the Extender's continuation step). The returned text does not repeat
 * the prefix. {@code adapter} names a PEFT adapter directory to apply, or null for the base model.
 */
public record GenerationRequest(
    String prompt,
    String forcedPrefix,
    SamplingParams sampling,
    int maxNewTokens,
    List<String> stopStrings,
    String adapter) {

  public GenerationRequest {
    if (prompt == null) {
      throw new IllegalArgumentException("prompt must not be null");
    }
    forcedPrefix = forcedPrefix == null ? "" : forcedPrefix;
    stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
    if (maxNewTokens <= 0) {
      throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
    }
  }
}
