package selflengthen.model.generate;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.engine.Djl;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.TextListener;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.KvCache;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * A Hugging Face checkpoint served in process: tokenizer, chat template, weights on one device,
 * and a {@link Scheduler} thread that batches every concurrent {@link #generate} call.
 */
public final class DjlLanguageModel implements LanguageModel {
  private static final Logger LOG = LoggerFactory.getLogger(DjlLanguageModel.class);

  private final Checkpoint checkpoint;
  private final TextTokenizer tokenizer;
  private final ChatTemplate chatTemplate;
  private final DecoderModel model;
  private final Scheduler scheduler;
  private final Set<Integer> eos;
  private final int bos;

  private DjlLanguageModel(Checkpoint checkpoint, TextTokenizer tokenizer, DecoderModel model,
      Scheduler scheduler, Set<Integer> eos) {
    this.bos = bosToAdd(checkpoint, tokenizer);
    this.checkpoint = checkpoint;
    this.tokenizer = tokenizer;
    this.chatTemplate = checkpoint.chatTemplate();
    this.model = model;
    this.scheduler = scheduler;
    this.eos = eos;
  }

  public static DjlLanguageModel open(Path dir, EngineOptions options) throws IOException {
    Djl.engine();
    Djl.setThreads(options.threads());
    Checkpoint checkpoint = Checkpoint.read(dir);
    ModelConfig config = checkpoint.config();
    Device device = Djl.device(options.device());
    TextTokenizer tokenizer = checkpoint.loadTokenizer();
    try {
      if (tokenizer.size() > config.vocabSize()) {
        throw new IllegalArgumentException("tokenizer.json has ids up to " + (tokenizer.size() - 1)
            + " but config.json says vocab_size " + config.vocabSize());
      }
      int capacity = options.maxSequenceLength() > 0
          ? options.maxSequenceLength()
          : Math.min(config.maxPositionEmbeddings(), 4096);
      long weightBytes = config.parameterCount() * 4;
      long cacheBytes = KvCache.bytes(config, options.maxBatchSize(), capacity);
      LOG.info("loading {} ({}, {} parameters) on {}: weights {} MiB float32, KV cache {} MiB"
              + " ({} slots x {} tokens)", checkpoint.name(), config.architecture(),
          config.parameterCount(), device, weightBytes >> 20, cacheBytes >> 20,
          options.maxBatchSize(), capacity);
      Set<Integer> eos = checkpoint.eosTokenIds(tokenizer);
      return Djl.onFreshThread("load-" + checkpoint.name(), () -> {
        long start = System.nanoTime();
        DecoderModel model = DecoderModel.load(config, dir, device, options.bf16());
        LOG.info("weights loaded in {} ms", (System.nanoTime() - start) / 1_000_000);
        try {
          Scheduler scheduler = new Scheduler(model, tokenizer, eos, options.maxBatchSize(),
              capacity, options.prefillTokens(), options.maxAdapters(), checkpoint.name());
          return new DjlLanguageModel(checkpoint, tokenizer, model, scheduler, eos);
        } catch (RuntimeException e) {
          model.close();
          throw e;
        }
      });
    } catch (IOException | RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  @Override
  public GenerationResult generate(GenerationRequest request) {
    return generate(request, GenerationOptions.NONE).toResult();
  }

  /** Streams the text to {@code listener} as tokens are decoded (see {@link TextListener}). */
  @Override
  public GenerationResult generate(GenerationRequest request, TextListener listener) {
    return await(submit(request, GenerationOptions.NONE, listener)).toResult();
  }

  /** Generation with per-step log-probs or EOS ignored; blocks until done. */
  public GenerationOutput generate(GenerationRequest request, GenerationOptions options) {
    return await(submit(request, options));
  }

  private static GenerationOutput await(CompletableFuture<GenerationOutput> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while generating");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }

  /** Enqueues a request; the future completes when it finishes. */
  public CompletableFuture<GenerationOutput> submit(GenerationRequest request,
      GenerationOptions options) {
    return submit(request, options, null);
  }

  /** Enqueues a request whose text goes to {@code listener} (null: none) as it is decoded. */
  public CompletableFuture<GenerationOutput> submit(GenerationRequest request,
      GenerationOptions options, TextListener listener) {
    String text = request.prompt() + request.forcedPrefix();
    if (text.length() > maxPromptChars()) {
      throw new IllegalArgumentException("prompt has " + text.length() + " characters; this engine"
          + " holds at most " + scheduler.capacity() + " tokens per sequence, at most "
          + maxPromptChars() + " characters of text (EngineOptions.maxSequenceLength)");
    }
    int[] prompt = promptIds(text);
    if (prompt.length == 0) {
      throw new IllegalArgumentException("the prompt encodes to no tokens");
    }
    if (prompt.length >= scheduler.capacity()) {
      throw new IllegalArgumentException("prompt has " + prompt.length + " tokens; this engine"
          + " holds at most " + scheduler.capacity() + " per sequence (EngineOptions.maxSequenceLength)");
    }
    String adapter = request.adapter() == null || request.adapter().isBlank()
        ? null : Path.of(request.adapter()).toAbsolutePath().normalize().toString();
    Job job = new Job(prompt, request.sampling(), request.maxNewTokens(), request.stopStrings(),
        adapter, options);
    job.listener = listener;
    CompletableFuture<GenerationOutput> out = scheduler.submit(job).thenApply(this::output);
    out.whenComplete((r, e) -> {
      if (e instanceof CancellationException) {
        job.done.cancel(true);
      }
    });
    return out;
  }

  @Override
  public int contextLength() {
    return scheduler.capacity();
  }

  /**
   * The context times the longest token's spelling, doubled because a normalizer (NFC) may fold
   * several characters into one before tokenizing: no longer text can fit.
   */
  @Override
  public long maxPromptChars() {
    int longest = tokenizer.longestToken();
    return longest <= 0 ? Long.MAX_VALUE : 2L * scheduler.capacity() * longest;
  }

  @Override
  public int promptTokens(String prompt) {
    if (prompt.length() > maxPromptChars()) {
      return Integer.MAX_VALUE;
    }
    return promptIds(prompt).length;
  }

  @Override
  public void checkAdapter(Path dir) throws IOException {
    LoraWeights.check(dir.toAbsolutePath().normalize(), checkpoint.config());
  }

  /**
   * Prompt ids as transformers would feed them: chat templates spell BOS themselves; a raw
   * prompt for a tokenizer that adds BOS (Llama) gets it prepended.
   */
  public int[] promptIds(String text) {
    int[] ids = tokenizer.encode(text);
    if (bos < 0 || (ids.length > 0 && ids[0] == bos)) {
      return ids;
    }
    int[] out = new int[ids.length + 1];
    out[0] = bos;
    System.arraycopy(ids, 0, out, 1, ids.length);
    return out;
  }

  /** The BOS id to prepend, or -1 (no bos_token, or add_bos_token false). */
  private static int bosToAdd(Checkpoint c, TextTokenizer t) {
    String token = c.tokenizerSettings().specialTokens().get("bos_token");
    if (token == null || !c.tokenizerSettings().addBosToken()) {
      return -1;
    }
    return t.tokenId(token).orElse(-1);
  }

  private GenerationOutput output(Job job) {
    int[] ids = job.generatedIds();
    int end = ids.length;
    if (job.finish == FinishReason.STOP && end > 0 && eos.contains(ids[end - 1])
        && !job.options.ignoreEos()) {
      end--;
    }
    String text = tokenizer.decode(ids, 0, end, true);
    if (!job.stopStrings.isEmpty()) {
      text = StopStrings.cut(text, job.stopStrings);
    }
    if (job.listener != null && text.length() > job.streamed) {
      // What the stream held back (a possible stop string's start, the last tokens) goes now.
      StepSampler.notify(job, text.substring(job.streamed));
    }
    return new GenerationOutput(text, job.prompt.length, ids, job.finish,
        job.logprobs == null ? List.of() : List.copyOf(job.logprobs));
  }

  @Override
  public ChatTemplate chatTemplate() {
    return chatTemplate;
  }

  @Override
  public String name() {
    return checkpoint.name();
  }

  public Checkpoint checkpoint() {
    return checkpoint;
  }

  public TextTokenizer tokenizer() {
    return tokenizer;
  }

  public Set<Integer> eosTokenIds() {
    return eos;
  }

  public DecoderModel decoder() {
    return model;
  }

  /**
   * Work done since load: steps, tokens and time spent in decode and in prefill, and the number of
   * prefill forward passes (requests submitted together share one).
   */
  public record Counters(long decodeSteps, long decodedTokens, long decodeNanos,
      long prefilledTokens, long prefillNanos, long prefillForwards) {}

  public Counters counters() {
    return new Counters(scheduler.decodeSteps.get(), scheduler.decodedTokens.get(),
        scheduler.decodeNanos.get(), scheduler.prefilledTokens.get(), scheduler.prefillNanos.get(),
        scheduler.prefillForwards.get());
  }

  @Override
  public void close() {
    scheduler.close();
    model.close();
    tokenizer.close();
  }
}
