package selflengthen.model.config;

/**
 * How a loaded model runs. {@code device}: "cpu" or "cuda:N". {@code maxBatchSize}: sequences
 * decoded together (KV cache slots). {@code maxSequenceLength}: prompt plus completion per slot
 * (0: the model's max_position_embeddings, capped at 4096). {@code prefillTokens}: tokens per
 * prefill forward (longer prompts are prefilled in chunks). {@code threads}: PyTorch intra-op
 * threads (0: leave PyTorch's default). {@code maxAdapters}: LoRA adapters kept loaded.
 */
public record EngineOptions(
    String device,
    int maxBatchSize,
    int maxSequenceLength,
    int prefillTokens,
    int threads,
    int maxAdapters) {

  public EngineOptions {
    device = device == null || device.isBlank() ? "cpu" : device;
    if (maxBatchSize <= 0) {
      throw new IllegalArgumentException("maxBatchSize must be positive");
    }
    prefillTokens = prefillTokens <= 0 ? 1024 : prefillTokens;
    maxAdapters = maxAdapters <= 0 ? 8 : maxAdapters;
  }

  public static EngineOptions defaults() {
    return new EngineOptions("cpu", 16, 0, 1024, 0, 8);
  }

  public EngineOptions withDevice(String d) {
    return new EngineOptions(d, maxBatchSize, maxSequenceLength, prefillTokens, threads, maxAdapters);
  }

  public EngineOptions withMaxBatchSize(int n) {
    return new EngineOptions(device, n, maxSequenceLength, prefillTokens, threads, maxAdapters);
  }

  public EngineOptions withMaxSequenceLength(int n) {
    return new EngineOptions(device, maxBatchSize, n, prefillTokens, threads, maxAdapters);
  }

  public EngineOptions withPrefillTokens(int n) {
    return new EngineOptions(device, maxBatchSize, maxSequenceLength, n, threads, maxAdapters);
  }

  public EngineOptions withThreads(int n) {
    return new EngineOptions(device, maxBatchSize, maxSequenceLength, prefillTokens, n, maxAdapters);
  }
}
