package selflengthen.model.generate;

/**
 * Per-request options beyond the public API: {@code topLogprobs} alternatives to report at every
 * step (0: none), and {@code ignoreEos} to keep generating through end-of-sequence tokens
 * (benchmarks need fixed lengths).
 */
public record GenerationOptions(int topLogprobs, boolean ignoreEos) {
  public static final GenerationOptions NONE = new GenerationOptions(0, false);
}
