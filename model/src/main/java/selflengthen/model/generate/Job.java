package selflengthen.model.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.concurrent.CompletableFuture;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.api.TextListener;

/** One request while the scheduler owns it: prompt ids, generated ids, cache position. */
final class Job {
  final int[] prompt;
  final SamplingParams sampling;
  final int maxNewTokens;
  final List<String> stopStrings;
  final String adapter;
  final GenerationOptions options;
  final CompletableFuture<Job> done = new CompletableFuture<>();
  /** Seeded with SplittableRandom: nearby seeds (0, 1, 2...) give unrelated streams. */
  final RandomGenerator random;
  final List<TokenLogprobs> logprobs;

  int[] generated = new int[16];
  int generatedCount;
  /** Tokens whose keys and values are in the cache. */
  int cached;
  /** The last sampled token, fed at the next decode step. */
  int pending;
  FinishReason finish;
  IncrementalDecoder decoder;
  StringBuilder text;
  int longestStop;
  /** Streams text as it is decoded (null: nobody listens); {@code streamed} chars were sent. */
  TextListener listener;
  int streamed;

  Job(int[] prompt, SamplingParams sampling, int maxNewTokens, List<String> stopStrings,
      String adapter, GenerationOptions options) {
    this.prompt = prompt;
    this.sampling = sampling;
    this.maxNewTokens = maxNewTokens;
    this.stopStrings = stopStrings;
    this.adapter = adapter;
    this.options = options;
    this.random = new java.util.SplittableRandom(sampling.seed());
    this.logprobs = options.topLogprobs() > 0 ? new ArrayList<>() : null;
    this.longestStop = StopStrings.longest(stopStrings);
  }

  void add(int token) {
    if (generatedCount == generated.length) {
      generated = Arrays.copyOf(generated, generated.length * 2);
    }
    generated[generatedCount++] = token;
  }

  int[] generatedIds() {
    return Arrays.copyOf(generated, generatedCount);
  }
}
