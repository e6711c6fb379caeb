package selflengthen.model.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import selflengthen.model.engine.Djl;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.ModelFactory;
import selflengthen.model.Models;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.api.TrainingReport;
import selflengthen.model.config.ModelConfig;
import selflengthen.model.generate.DjlLanguageModel;
import selflengthen.model.generate.GenerationOptions;
import selflengthen.model.train.SftTrainer;

/**
 * Measures this machine and the engine: the fp32 matmul ceiling, prefill and decode throughput
 * (decode at several batch sizes with model-FLOPs utilisation against the ceiling), training
 * throughput, and resident memory over a long stream of decode steps (it must stay flat).
 */
public final class ModelBenchmark {
  private final String preset;
  private final Path workDir;
  private final int threads;
  private final boolean inferenceOnly;
  private final boolean bf16;

  public ModelBenchmark(String preset, Path workDir, int threads) {
    this(preset, workDir, threads, false);
  }

  /**
   * @param inferenceOnly measure the matmul ceiling, prefill and decode only (no 2,000-step memory
   *     stream, no training): what a side-by-side comparison repeated several times needs
   */
  public ModelBenchmark(String preset, Path workDir, int threads, boolean inferenceOnly) {
    this(preset, workDir, threads, inferenceOnly, false);
  }

  /** @param bf16 run the model with {@code EngineOptions.bf16} (bfloat16 projections) */
  public ModelBenchmark(String preset, Path workDir, int threads, boolean inferenceOnly,
      boolean bf16) {
    this.preset = preset;
    this.workDir = workDir;
    this.threads = threads;
    this.inferenceOnly = inferenceOnly;
    this.bf16 = bf16;
  }

  public Map<String, Object> run() throws IOException {
    Djl.engine();
    Djl.setThreads(threads);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("preset", preset);
    out.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
    out.put("implementation", "selflengthen engine on DJL " + ai.djl.engine.Engine.getDjlVersion()
        + ", PyTorch " + Djl.engine().getVersion() + " natives");
    out.put("blas", blas());
    out.put("linear_precision", bf16 ? "bfloat16" : "float32");
    out.put("load_average_at_start", loadAverage());
    // One-off tensor work on threads that end (see Djl.onFreshThread): the engine's thread
    // should be the only long-lived one with an OpenMP team while decode is timed.
    double ceiling = Djl.onFreshThread("matmul-ceiling", ModelBenchmark::matmulGflops);
    out.put("matmul_gflops_fp32", round(ceiling));
    Path model = workDir.resolve(preset);
    ModelConfig config = Djl.onFreshThread("model-init", () -> ModelFactory.init(preset, model, 1L, null));
    out.put("parameters", config.parameterCount());
    EngineOptions opts = EngineOptions.defaults().withMaxBatchSize(32).withMaxSequenceLength(512)
        .withPrefillTokens(1024).withThreads(threads).withBf16(bf16);
    try (DjlLanguageModel m = Models.open(model, opts)) {
      out.put("projections", m.decoder().projectionKernels());
      String[] prompts = prompts(m, 32, 32);
      generate(m, prompts, 2, 8);
      out.put("prefill", prefill(m));
      List<Map<String, Object>> decode = new ArrayList<>();
      for (int batch : new int[] {1, 8, 32}) {
        decode.add(decode(m, config, prompts, batch, 96, ceiling));
      }
      out.put("decode", decode);
      if (!inferenceOnly) {
        out.put("rss_stream", rssStream(m, prompts, 8, 2000));
      }
    }
    if (!inferenceOnly) {
      out.put("training", training(model));
    }
    out.put("peak_rss_mib", memory("VmHWM") >> 10);
    return out;
  }

  static double matmulGflops() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomNormal(new Shape(1024, 1024));
      NDArray b = m.randomNormal(new Shape(1024, 1024));
      for (int i = 0; i < 3; i++) {
        a.matMul(b).close();
      }
      double[] rates = new double[7];
      for (int r = 0; r < rates.length; r++) {
        long t = System.nanoTime();
        for (int i = 0; i < 5; i++) {
          a.matMul(b).close();
        }
        rates[r] = 5 * 2.0 * 1024 * 1024 * 1024 / ((System.nanoTime() - t) / 1e9) / 1e9;
      }
      Arrays.sort(rates);
      return rates[rates.length / 2];
    }
  }

  /**
   * The BLAS behind the engine's other float32 matmuls (attention, the ceiling probe): the
   * libtorch that DJL loads links MKL statically (DJL reports no BLAS of its own). Named with the
   * MKL variables that steer its code path, when set. The projections' kernels are reported
   * apart ({@code projections}).
   */
  static String blas() {
    StringBuilder b = new StringBuilder("MKL (statically linked in DJL's libtorch)");
    for (String v : new String[] {"MKL_ENABLE_INSTRUCTIONS", "MKL_DEBUG_CPU_TYPE", "MKL_CBWR"}) {
      if (System.getenv(v) != null) {
        b.append(", ").append(v).append('=').append(System.getenv(v));
      }
    }
    return b.toString();
  }

  /** Prompts of about {@code tokens} tokens cut from the built-in corpus. */
  static String[] prompts(DjlLanguageModel m, int count, int tokens) {
    String corpus = ModelFactory.builtinCorpus();
    int[] ids = m.tokenizer().encode(corpus);
    String[] out = new String[count];
    for (int i = 0; i < count; i++) {
      int start = (i * 37) % Math.max(1, ids.length - tokens);
      out[i] = m.tokenizer().decode(Arrays.copyOfRange(ids, start, start + tokens), true);
    }
    return out;
  }

  private static void generate(DjlLanguageModel m, String[] prompts, int batch, int newTokens) {
    List<CompletableFuture<?>> fs = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      fs.add(m.submit(new GenerationRequest(prompts[i % prompts.length], "",
          SamplingParams.greedy(), newTokens, List.of(), null), new GenerationOptions(0, true)));
    }
    fs.forEach(CompletableFuture::join);
  }

  /**
   * Prefill throughput of 4 x 256-token prompts: two untimed runs first (the first two forwards
   * of a new shape took 0.86-0.92 s and 0.72-0.77 s, later ones 0.51-0.57 s, while the allocator
   * settles), then the best of three, as for decode. tools/bench/pytorch_decode.py does the same.
   */
  private static Map<String, Object> prefill(DjlLanguageModel m) {
    String[] longPrompts = prompts(m, 4, 256);
    long tokens = 0;
    double best = 0;
    long forwards = 0;
    for (int run = -2; run < 3; run++) {
      var before = m.counters();
      List<CompletableFuture<?>> fs = new ArrayList<>();
      for (String p : longPrompts) {
        fs.add(m.submit(new GenerationRequest(p, "", SamplingParams.greedy(), 1, List.of(), null),
            new GenerationOptions(0, true)));
      }
      fs.forEach(CompletableFuture::join);
      var after = m.counters();
      tokens = after.prefilledTokens() - before.prefilledTokens();
      if (run >= 0) {
        best = Math.max(best, tokens / ((after.prefillNanos() - before.prefillNanos()) / 1e9));
        forwards = Math.max(forwards, after.prefillForwards() - before.prefillForwards());
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("prompts", longPrompts.length);
    r.put("tokens", tokens);
    r.put("runs", 3);
    r.put("most_forwards_per_run", forwards);
    r.put("tokens_per_s", round(best));
    return r;
  }

  /**
   * Decode throughput at one batch size: the best of three runs, because other processes on a
   * shared machine slow single runs down by large and varying factors.
   */
  private static Map<String, Object> decode(DjlLanguageModel m, ModelConfig c, String[] prompts,
      int batch, int newTokens, double ceiling) {
    double tps = 0;
    double secs = 0;
    long steps = 0;
    for (int run = 0; run < 3; run++) {
      var before = m.counters();
      generate(m, prompts, batch, newTokens);
      var after = m.counters();
      long tokens = after.decodedTokens() - before.decodedTokens();
      double s = (after.decodeNanos() - before.decodeNanos()) / 1e9;
      if (tokens / s > tps) {
        tps = tokens / s;
        secs = s;
        steps = after.decodeSteps() - before.decodeSteps();
      }
    }
    int promptLen = m.tokenizer().encode(prompts[0]).length;
    double flops = flopsPerToken(c, promptLen + newTokens / 2.0);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("batch", batch);
    r.put("runs", 3);
    r.put("steps", steps);
    r.put("tokens_per_s", round(tps));
    r.put("ms_per_step", round(secs * 1000 / steps));
    r.put("gflops", round(tps * flops / 1e9));
    r.put("mfu", round(tps * flops / 1e9 / ceiling));
    return r;
  }

  /** Matmul FLOPs to decode one token at a given context length. */
  static double flopsPerToken(ModelConfig c, double context) {
    double h = c.hiddenSize();
    double linear = c.numLayers() * (h * (c.qSize() + 2.0 * c.kvSize()) + c.qSize() * h
        + 3.0 * h * c.intermediateSize()) + (double) c.vocabSize() * h;
    double attention = c.numLayers() * 2.0 * c.numHeads() * c.headDim() * context;
    return 2 * (linear + attention);
  }

  /**
   * Resident memory while {@code clients} callers keep requesting 250-token samples until
   * {@code steps} decode steps ran: sampled every quarter, it must stay flat once warm.
   */
  private static Map<String, Object> rssStream(DjlLanguageModel m, String[] prompts, int clients,
      long steps) {
    long start = m.counters().decodeSteps();
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      int id = c;
      loops.add(CompletableFuture.runAsync(() -> {
        int n = 0;
        while (!stop.get()) {
          m.generate(new GenerationRequest(prompts[(id + n++) % prompts.length], "",
              new SamplingParams(0.8f, 20, 0.9f, 1.1f, id * 1000L + n), 250, List.of(), null),
              new GenerationOptions(0, true));
        }
      }));
    }
    Map<String, Object> samples = new LinkedHashMap<>();
    long next = steps / 4;
    while (true) {
      long done = m.counters().decodeSteps() - start;
      if (done >= next) {
        samples.put(String.valueOf(next), memory("VmRSS") >> 10);
        if (next >= steps) {
          break;
        }
        next += steps / 4;
      }
      sleep(10);
    }
    stop.set(true);
    loops.forEach(CompletableFuture::join);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("concurrent_requests", clients);
    r.put("decode_steps", m.counters().decodeSteps() - start);
    r.put("rss_mib_at_step", samples);
    return r;
  }

  private Map<String, Object> training(Path model) {
    List<SftExample> data = new ArrayList<>();
    String[] sentences = ModelFactory.builtinCorpus().split("(?<=[.?!])\\s+");
    for (int i = 0; i + 3 < sentences.length && data.size() < 32; i += 2) {
      data.add(new SftExample("Continue: " + sentences[i], "",
          sentences[i + 1] + " " + sentences[i + 2] + " " + sentences[i + 3]));
    }
    Map<String, Object> r = new LinkedHashMap<>();
    for (boolean full : new boolean[] {true, false}) {
      TrainingConfig cfg = new TrainingConfig(full, 16, 32f, 0f, List.of(), 1e-4f, 1, "cosine",
          0.1f, 512, 4, 1, 0f, 0, 1L);
      String name = full ? "full" : "lora";
      List<Double> rates = new ArrayList<>();
      TrainingReport rep = new SftTrainer().train(new TrainingJob(model, null,
          workDir.resolve("train-" + name), workDir.resolve("ckpt-" + name), data, cfg),
          p -> rates.add(p.tokensPerSecond()));
      // the first step pays for allocator and thread-pool warm-up: report the median of the rest
      List<Double> warm = new ArrayList<>(rates.subList(Math.min(1, rates.size()), rates.size()));
      warm.sort(null);
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("steps", rep.steps());
      t.put("tokens_per_s", round(warm.isEmpty() ? rep.tokensPerSecond()
          : warm.get(warm.size() / 2)));
      t.put("first_loss", round(rep.firstLoss()));
      t.put("final_loss", round(rep.finalLoss()));
      r.put(name, t);
    }
    return r;
  }

  /** The 1-minute load average: how busy the machine was (other processes skew every figure). */
  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** A /proc/self/status figure in KiB (0 where /proc is absent). */
  static long memory(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    return 0;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
