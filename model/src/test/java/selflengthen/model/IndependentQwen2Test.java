package selflengthen.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.generate.DjlLanguageModel;
import selflengthen.model.generate.GenerationOptions;
import selflengthen.model.generate.GenerationOutput;
import selflengthen.model.lora.FusedLora;
import selflengthen.model.lora.LoraWeights;
import selflengthen.model.nn.DecoderModel;
import selflengthen.model.nn.KvCache;
import selflengthen.model.nn.LoraDelta;
import selflengthen.model.train.SftTrainer;

/**
 * Checkpoints written by an independent implementation (tools/reference/make_fixture.py: numpy,
 * its own safetensors writer, float64 forward pass) are loaded through the normal
 * {@link Models#open} path and must give the reference's logits and greedy tokens: full forward,
 * KV-cache decode, a right-padded batch at unequal positions, continuous batching, and a PEFT
 * adapter opened by name. BF16 and F16 (and mixed F16/F32) files exercise widening.
 *
 * <p>Tolerance: |java - reference| <= 1e-4 * (1 + |reference|). Measured: the engine (float32)
 * is at 1.5e-5 of the float64 reference, 4.4e-6 of which is the 6-digit rounding of
 * expected.json. The smallest plausible mistakes, evaluated with the reference, land above it:
 * rms_norm_eps 1e-5 instead of 1e-6 moves logits by 1.8e-4, rope_theta 10001 instead of 10000 by
 * 4.4e-4, one bf16 ulp on the weights by 0.19, a dropped k bias by 1.4, an untied head read as
 * tied by 19. Greedy tokens must be identical: every greedy step of the reference wins by at
 * least 4e-3, far above the float32 error.
 */
class IndependentQwen2Test {
  static final ObjectMapper JSON = new ObjectMapper();
  static final double TOLERANCE = 1e-4;
  static Path root;
  static JsonNode expected;
  static DjlLanguageModel tied;
  static DjlLanguageModel untied;
  static FusedLora adapter;
  static double worstSeen;

  @BeforeAll
  static void open() throws Exception {
    root = Path.of(IndependentQwen2Test.class.getResource("/independent-qwen2/expected.json").toURI())
        .getParent();
    expected = JSON.readTree(root.resolve("expected.json").toFile());
    EngineOptions opts = EngineOptions.defaults().withMaxBatchSize(4).withMaxSequenceLength(64)
        .withPrefillTokens(64).withThreads(1);
    tied = Models.open(root.resolve("tied-bf16"), opts);
    untied = Models.open(root.resolve("untied-f16"), opts);
    DecoderModel d = tied.decoder();
    try (LoraWeights w = LoraWeights.load(root.resolve("adapter"), d.config(), d.manager(),
        d.device())) {
      adapter = w.fused(d.manager());
    }
  }

  @AfterAll
  static void close() {
    adapter.close();
    tied.close();
    untied.close();
    System.out.printf("independent Qwen2 check: largest |java - reference| / (1 + |reference|)"
        + " = %.3g%n", worstSeen);
  }

  static DjlLanguageModel model(String name) {
    return name.startsWith("tied") ? tied : untied;
  }

  static LoraDelta lora(String name) {
    return name.endsWith("+adapter") ? adapter : null;
  }

  static String adapterName(String name) {
    return name.endsWith("+adapter") ? root.resolve("adapter").toString() : null;
  }

  static List<JsonNode> cases(String name) {
    List<JsonNode> out = new ArrayList<>();
    expected.path("models").path(name).path("cases").forEach(out::add);
    assertEquals(3, out.size(), name);
    return out;
  }

  static long[] ids(JsonNode c) {
    long[] out = new long[c.path("ids").size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = c.path("ids").get(i).asLong();
    }
    return out;
  }

  static int[] intArray(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asInt();
    }
    return out;
  }

  /** Asserts one row of logits against the reference row at a position. */
  static void assertRow(float[] actual, int offset, JsonNode c, int position, String what) {
    JsonNode ref = c.path("logits").get(position);
    int vocab = ref.size();
    double worst = 0;
    for (int v = 0; v < vocab; v++) {
      double r = ref.get(v).asDouble();
      worst = Math.max(worst, Math.abs(actual[offset + v] - r) / (1 + Math.abs(r)));
    }
    worstSeen = Math.max(worstSeen, worst);
    assertTrue(worst <= TOLERANCE, what + " position " + position + ": |java - reference| / (1 +"
        + " |reference|) = " + worst);
  }

  @ParameterizedTest
  @ValueSource(strings = {"tied-bf16", "untied-f16"})
  void tokenizerTemplateAndEosMatchTheCheckpointFiles(String name) {
    DjlLanguageModel m = model(name);
    for (JsonNode c : cases(name)) {
      assertArrayEquals(intArray(c.path("ids")), m.promptIds(c.path("text").asText()),
          c.path("text").asText());
    }
    assertEquals(cases(name).get(0).path("text").asText(), m.chatTemplate().render(
        List.of(ChatMessage.user("the river runs to the sea .")), true));
    int imEnd = m.tokenizer().tokenId("<|im_end|>").orElseThrow();
    int endOfText = m.tokenizer().tokenId("<|endoftext|>").orElseThrow();
    assertEquals(Set.of(imEnd, endOfText), m.eosTokenIds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tied-bf16", "untied-f16", "tied-bf16+adapter"})
  void fullForwardGivesTheReferenceLogits(String name) {
    DecoderModel d = model(name).decoder();
    int vocab = d.config().vocabSize();
    for (JsonNode c : cases(name)) {
      long[] ids = ids(c);
      try (NDScope scope = new NDScope();
          KvCache cache = new KvCache(d.config(), 1, 64, d.manager(), d.device())) {
        float[] all = d.forward(ids, 1, ids.length, 0, new int[] {0}, null, cache, lora(name))
            .toFloatArray();
        assertEquals((long) ids.length * vocab, all.length);
        for (int p = 0; p < ids.length; p++) {
          assertRow(all, p * vocab, c, p, name + " full forward");
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tied-bf16", "untied-f16", "tied-bf16+adapter"})
  void kvCacheDecodeGivesTheReferenceLogits(String name) {
    DecoderModel d = model(name).decoder();
    for (JsonNode c : cases(name)) {
      long[] ids = ids(c);
      int prefix = 3;
      try (NDScope scope = new NDScope();
          KvCache cache = new KvCache(d.config(), 1, 64, d.manager(), d.device())) {
        float[] row = d.forward(Arrays.copyOf(ids, prefix), 1, prefix, 0, new int[] {0},
            new int[] {prefix - 1}, cache, lora(name)).toFloatArray();
        assertRow(row, 0, c, prefix - 1, name + " prefill");
        for (int p = prefix; p < ids.length; p++) {
          row = d.forward(new long[] {ids[p]}, 1, 1, 0, new int[] {p}, new int[] {0}, cache,
              lora(name)).toFloatArray();
          assertRow(row, 0, c, p, name + " cached decode");
        }
      }
    }
  }

  /**
   * All cases in one right-padded prefill (prefixes of unequal length), then decode steps in which
   * every row sits at a different position; slot 0 is left unused so the rows start at slot 1.
   */
  @ParameterizedTest
  @ValueSource(strings = {"tied-bf16", "untied-f16", "tied-bf16+adapter"})
  void paddedBatchAtUnequalPositionsGivesTheReferenceLogits(String name) {
    DecoderModel d = model(name).decoder();
    int vocab = d.config().vocabSize();
    List<JsonNode> cs = cases(name);
    int n = cs.size();
    int[] prefix = {4, 9, 6};
    int longest = Arrays.stream(prefix).max().orElseThrow();
    long[] tokens = new long[n * longest];
    int[] last = new int[n];
    for (int b = 0; b < n; b++) {
      long[] ids = ids(cs.get(b));
      Arrays.fill(tokens, b * longest, (b + 1) * longest, 60);
      System.arraycopy(ids, 0, tokens, b * longest, prefix[b]);
      last[b] = prefix[b] - 1;
    }
    try (NDScope scope = new NDScope();
        KvCache cache = new KvCache(d.config(), n + 1, 64, d.manager(), d.device())) {
      float[] rows = d.forward(tokens, n, longest, 1, new int[n], last, cache, lora(name))
          .toFloatArray();
      for (int b = 0; b < n; b++) {
        assertRow(rows, b * vocab, cs.get(b), prefix[b] - 1, name + " padded prefill row " + b);
      }
      for (int step = 0; step < 3; step++) {
        long[] next = new long[n];
        int[] pos = new int[n];
        for (int b = 0; b < n; b++) {
          pos[b] = prefix[b] + step;
          next[b] = ids(cs.get(b))[pos[b]];
        }
        rows = d.forward(next, n, 1, 1, pos, new int[n], cache, lora(name)).toFloatArray();
        for (int b = 0; b < n; b++) {
          assertRow(rows, b * vocab, cs.get(b), pos[b], name + " batched decode row " + b);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tied-bf16", "untied-f16", "tied-bf16+adapter"})
  void greedyTokensEqualTheReferenceAloneAndBatched(String name) {
    DjlLanguageModel m = model(name);
    int steps = expected.path("greedy_steps").asInt();
    GenerationOptions fixed = new GenerationOptions(0, true);
    List<JsonNode> cs = cases(name);
    for (JsonNode c : cs) {
      GenerationOutput alone = m.generate(request(c, steps, name), fixed);
      assertArrayEquals(intArray(c.path("greedy")), alone.tokenIds(), name + " alone");
    }
    // together, each twice: continuous batching over four slots refills freed slots mid-run
    List<CompletableFuture<GenerationOutput>> together = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (JsonNode c : cs) {
        together.add(m.submit(request(c, steps - round * 4, name), fixed));
      }
    }
    for (int i = 0; i < together.size(); i++) {
      int[] want = intArray(cs.get(i % cs.size()).path("greedy"));
      int[] got = together.get(i).join().tokenIds();
      assertArrayEquals(Arrays.copyOf(want, got.length), got, name + " batched request " + i);
      assertEquals(steps - (i / cs.size()) * 4, got.length);
    }
  }

  static GenerationRequest request(JsonNode c, int steps, String name) {
    return new GenerationRequest(c.path("text").asText(), "", SamplingParams.greedy(), steps,
        List.of(), adapterName(name));
  }

  /**
   * The reverse direction: an adapter our trainer saves must open in the reference's PEFT-style
   * loader. This writes the adapter and the logits Java computes with it to
   * target/independent-qwen2/; tools/reference/check_adapter.py compares them (run here when a
   * python3 with numpy is on the PATH, otherwise by hand).
   */
  @Test
  void trainedAdapterIsWrittenForThePythonPeftLoader() throws Exception {
    Path out = Path.of("target", "independent-qwen2").toAbsolutePath();
    Path adapterDir = out.resolve("trained-adapter");
    List<SftExample> data = List.of(
        new SftExample("the river", "", "runs to the sea ."),
        new SftExample("the bird", "", "saw the moon at night ."),
        new SftExample("she told", "", "a long story of the old city ."),
        new SftExample("the wind", "", "came over the water after the rain ."));
    TrainingConfig cfg = new TrainingConfig(false, 4, 8f, 0f, List.of(), 5e-2f, 4, "constant",
        0f, 64, 4, 1, 0f, 0, 11L);
    Path base = root.resolve("tied-bf16");
    new SftTrainer().train(new TrainingJob(base, null, adapterDir,
        Files.createTempDirectory("independent-ckpt"), data, cfg), p -> { });
    assertTrue(Files.exists(adapterDir.resolve("adapter_model.safetensors")));

    DecoderModel d = tied.decoder();
    int vocab = d.config().vocabSize();
    ObjectNode report = JSON.createObjectNode();
    report.put("base", base.toString());
    report.put("adapter", adapterDir.toString());
    ArrayNode cases = report.putArray("cases");
    double change = 0;
    try (LoraWeights w = LoraWeights.load(adapterDir, d.config(), d.manager(), d.device());
        FusedLora trained = w.fused(d.manager())) {
      for (JsonNode c : cases("tied-bf16")) {
        long[] ids = ids(c);
        try (NDScope scope = new NDScope();
            KvCache cache = new KvCache(d.config(), 1, 64, d.manager(), d.device())) {
          float[] all = d.forward(ids, 1, ids.length, 0, new int[] {0}, null, cache, trained)
              .toFloatArray();
          ObjectNode o = cases.addObject();
          ArrayNode idNode = o.putArray("ids");
          Arrays.stream(ids).forEach(idNode::add);
          ArrayNode rows = o.putArray("logits");
          for (int p = 0; p < ids.length; p++) {
            ArrayNode row = rows.addArray();
            for (int v = 0; v < vocab; v++) {
              row.add(all[p * vocab + v]);
              change = Math.max(change, Math.abs(all[p * vocab + v]
                  - c.path("logits").get(p).get(v).asDouble()));
            }
          }
        }
      }
    }
    assertTrue(change > 1e-2, "training left the adapter without effect: " + change);
    Path json = out.resolve("java-adapter-logits.json");
    JSON.writeValue(json.toFile(), report);

    Path script = Path.of("..", "tools", "reference", "check_adapter.py").toAbsolutePath();
    Assumptions.assumeTrue(Files.exists(script) && pythonWithNumpy(),
        "python3 with numpy not found: run tools/reference/check_adapter.py " + json + " by hand");
    Process p = new ProcessBuilder("python3", script.toString(), json.toString())
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    System.out.print(text);
    assertEquals(0, p.exitValue(), text);
  }

  static boolean pythonWithNumpy() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true)
          .start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
