package selflengthen.model.api;

/**
 * Per-request sampling. temperature 0 means greedy; topK 0 and topP 1 disable those filters;
 * repetitionPenalty 1 disables the penalty. The seed makes a request reproducible on its own,
 * whatever else is batched with it.
 */
public record SamplingParams(
    float temperature, int topK, float topP, float repetitionPenalty, long seed) {

  public static SamplingParams greedy() {
    return new SamplingParams(0f, 0, 1f, 1f, 0L);
  }

  public boolean isGreedy() {
    return temperature <= 0f;
  }

  public SamplingParams withSeed(long newSeed) {
    return new SamplingParams(temperature, topK, topP, repetitionPenalty, newSeed);
  }
}
