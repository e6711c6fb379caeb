package selflengthen.model.api;

/**
 * The continuation (after the forced prefix, stop string removed), token counts and why it ended.
 */
public record GenerationResult(
    String text, int promptTokens, int completionTokens, FinishReason finishReason, int[] tokenIds) {}
