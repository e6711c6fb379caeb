package selflengthen.model.generate;

import java.util.List;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationResult;

/** A finished request with everything the engine knows about it. */
public record GenerationOutput(
    String text,
    int promptTokens,
    int[] tokenIds,
    FinishReason finishReason,
    List<TokenLogprobs> logprobs) {

  public GenerationResult toResult() {
    return new GenerationResult(text, promptTokens, tokenIds.length, finishReason, tokenIds);
  }
}
