package selflengthen.model.generate;

/** One generated token's log-probability and the most likely alternatives at that step. */
public record TokenLogprobs(int token, float logprob, int[] topTokens, float[] topLogprobs) {}
