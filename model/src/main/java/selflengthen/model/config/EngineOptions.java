package selflengthen.model.config;

/**
 * How a loaded model runs. {@code device}: "cpu" or "cuda:N". {@code maxBatchSize}: sequences
 * decoded together (KV cache slots). {@code maxSequenceLength}: prompt plus completion per slot
 * (0: the model's max_position_embeddings, capped at 4096). {@code prefillTokens}: tokens per
 * prefill forward (longer prompts are prefilled in chunks). {@code threads}: PyTorch intra-op
 * threads (0: leave PyTorch's default). {@code maxAdapters}: LoRA adapters kept loaded.
 * {@code bf16}: generation's linear layers in bfloat16 (weights rounded once at load, inputs at
 * each layer, float32 accumulation and outputs; attention, norms, sampling and training stay
 * float32). Faster decoding on CPUs with bfloat16 instructions, but logits move by about 0.5%,
 * so greedy outputs can differ from float32 where two tokens are nearly tied: off by default.
 */
public record EngineOptions(
    String device,
    int maxBatchSize,
    int maxSequenceLength,
    int prefillTokens,
    int threads,
    int maxAdapters,
    boolean bf16) {

  public EngineOptions {
    device = device == null || device.isBlank() ? "cpu" : device;
    if (maxBatchSize <= 0) {
      throw new IllegalArgumentException("maxBatchSize must be positive");
    }
    prefillTokens = prefillTokens <= 0 ? 1024 : prefillTokens;
    maxAdapters = maxAdapters <= 0 ? 8 : maxAdapters;
  }

  public static EngineOptions defaults() {
    return new EngineOptions("cpu", 16, 0, 1024, 0, 8, false);
  }

  public EngineOptions withDevice(String d) {
    return new EngineOptions(d, maxBatchSize, maxSequenceLength, prefillTokens, threads, maxAdapters, bf16);
  }

  public EngineOptions withMaxBatchSize(int n) {
    return new EngineOptions(device, n, maxSequenceLength, prefillTokens, threads, maxAdapters, bf16);
  }

  public EngineOptions withMaxSequenceLength(int n) {
    return new EngineOptions(device, maxBatchSize, n, prefillTokens, threads, maxAdapters, bf16);
  }

  public EngineOptions withPrefillTokens(int n) {
    return new EngineOptions(device, maxBatchSize, maxSequenceLength, n, threads, maxAdapters, bf16);
  }

  public EngineOptions withThreads(int n) {
    return new EngineOptions(device, maxBatchSize, maxSequenceLength, prefillTokens, n, maxAdapters, bf16);
  }

  public EngineOptions withBf16(boolean on) {
    return new EngineOptions(device, maxBatchSize, maxSequenceLength, prefillTokens, threads, maxAdapters, on);
  }
}
