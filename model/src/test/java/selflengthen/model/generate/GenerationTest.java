package selflengthen.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.TinyModels;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.SamplingParams;

class GenerationTest {
  static DjlLanguageModel model;
  static final GenerationOptions FIXED = new GenerationOptions(0, true);

  @BeforeAll
  static void open() {
    model = Models.open(TinyModels.tiny(),
        EngineOptions.defaults().withMaxBatchSize(4).withMaxSequenceLength(256).withPrefillTokens(64));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  static GenerationRequest req(String prompt, SamplingParams s, int max) {
    return new GenerationRequest(prompt, "", s, max, List.of(), null);
  }

  static String prompt(int i) {
    return model.chatTemplate().render(List.of(ChatMessage.user("Write about the river number " + i
        + ". ".repeat(i % 3 + 1))), true);
  }

  /**
   * Requests submitted back to back after an idle spell share one prefill forward: the scheduler
   * waits for the burst to end instead of prefilling the first request alone (without that wait
   * the first request always takes a forward of its own, so 4 requests need at least 2). Three
   * attempts, because a machine busy elsewhere can stall the submitting thread past the wait.
   */
  @Test
  void aBurstOfRequestsSharesOnePrefillForward() throws Exception {
    long fewest = Long.MAX_VALUE;
    // a prefill budget that fits all four prompts in one forward
    try (DjlLanguageModel wide = Models.open(TinyModels.tiny(), EngineOptions.defaults()
        .withMaxBatchSize(4).withMaxSequenceLength(256).withPrefillTokens(1024))) {
      // Rendered before the burst: the chat template takes milliseconds on a cold or busy JVM,
      // longer than the scheduler's quiet window, and the burst is the submissions alone.
      List<GenerationRequest> requests = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        requests.add(req(prompt(i), SamplingParams.greedy(), 1));
      }
      for (int attempt = 0; attempt < 3 && fewest > 1; attempt++) {
        Thread.sleep(100); // let the scheduler go idle
        var before = wide.counters();
        List<CompletableFuture<GenerationOutput>> burst = new ArrayList<>();
        for (GenerationRequest r : requests) {
          burst.add(wide.submit(r, FIXED));
        }
        burst.forEach(CompletableFuture::join);
        fewest = Math.min(fewest, wide.counters().prefillForwards() - before.prefillForwards());
      }
    }
    assertEquals(1, fewest, "prefill forwards for 4 requests submitted together");
  }

  @Test
  void greedyIsDeterministicAndUnaffectedByBatching() {
    List<GenerationOutput> alone = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      alone.add(model.generate(req(prompt(i), SamplingParams.greedy(), 12 + i), FIXED));
    }
    // all six at once through four slots: continuous batching refills freed slots
    List<CompletableFuture<GenerationOutput>> together = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      together.add(model.submit(req(prompt(i), SamplingParams.greedy(), 12 + i), FIXED));
    }
    for (int i = 0; i < 6; i++) {
      GenerationOutput t = together.get(i).join();
      assertArrayEquals(alone.get(i).tokenIds(), t.tokenIds(), "request " + i);
      assertEquals(12 + i, t.tokenIds().length);
      assertEquals(FinishReason.LENGTH, t.finishReason());
    }
  }

  @Test
  void seededSamplingIsReproducibleWhateverShareTheBatch() {
    SamplingParams s = new SamplingParams(1.0f, 20, 0.9f, 1.1f, 42L);
    GenerationOutput first = model.generate(req(prompt(1), s, 20), FIXED);
    List<CompletableFuture<GenerationOutput>> crowd = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      crowd.add(model.submit(req(prompt(i + 2), s.withSeed(100 + i), 25), FIXED));
    }
    GenerationOutput again = model.generate(req(prompt(1), s, 20), FIXED);
    crowd.forEach(CompletableFuture::join);
    assertArrayEquals(first.tokenIds(), again.tokenIds());
    GenerationOutput other = model.generate(req(prompt(1), s.withSeed(43L), 20), FIXED);
    assertFalse(java.util.Arrays.equals(first.tokenIds(), other.tokenIds()),
        "a different seed should give a different sample");
  }

  @Test
  void stopStringsCutTheTextAndEndGeneration() {
    GenerationOutput full = model.generate(req(prompt(3), SamplingParams.greedy(), 40), FIXED);
    String text = full.text();
    assertTrue(text.length() > 12, "need some text to cut: " + text);
    String stop = text.substring(8, 11);
    int cut = text.indexOf(stop);
    GenerationRequest r = new GenerationRequest(prompt(3), "", SamplingParams.greedy(), 40,
        List.of(stop, "never-appears"), null);
    GenerationOutput stopped = model.generate(r, FIXED);
    assertEquals(text.substring(0, cut), stopped.text());
    assertEquals(FinishReason.STOP, stopped.finishReason());
    assertTrue(stopped.tokenIds().length < full.tokenIds().length);
  }

  @Test
  void forcedPrefixIsContinuedNotRepeated() {
    String p = prompt(4);
    GenerationRequest withPrefix = new GenerationRequest(p, "The river", SamplingParams.greedy(),
        10, List.of(), null);
    GenerationOutput a = model.generate(withPrefix, FIXED);
    GenerationOutput b = model.generate(req(p + "The river", SamplingParams.greedy(), 10), FIXED);
    assertArrayEquals(b.tokenIds(), a.tokenIds());
    assertEquals(model.tokenizer().encode(p + "The river").length, a.promptTokens());
    assertFalse(a.text().startsWith("The river"));
  }

  @Test
  void publicApiStopsOnEosAndReportsCounts() {
    GenerationResult r = model.chat(List.of(ChatMessage.user("Hello")), "",
        new SamplingParams(0.8f, 0, 1f, 1f, 3L), 30, List.of(), null);
    assertTrue(r.completionTokens() >= 1 && r.completionTokens() <= 30);
    assertEquals(r.tokenIds().length, r.completionTokens());
    if (r.finishReason() == FinishReason.STOP) {
      assertTrue(model.eosTokenIds().contains(r.tokenIds()[r.tokenIds().length - 1]));
    } else {
      assertEquals(30, r.completionTokens());
    }
    assertTrue(r.promptTokens() > 5);
  }

  @Test
  void topLogprobsAreSortedAndContainGreedyChoice() {
    GenerationOutput o = model.generate(req(prompt(5), SamplingParams.greedy(), 5),
        new GenerationOptions(3, true));
    assertEquals(5, o.logprobs().size());
    for (TokenLogprobs lp : o.logprobs()) {
      assertEquals(3, lp.topTokens().length);
      assertEquals(lp.topTokens()[0], lp.token());
      assertEquals(lp.topLogprobs()[0], lp.logprob(), 1e-5);
      assertTrue(lp.topLogprobs()[0] >= lp.topLogprobs()[1]);
      assertTrue(lp.logprob() <= 0);
    }
  }

  @Test
  void tooLongPromptIsRejected() {
    String longPrompt = "word ".repeat(400);
    assertThrows(IllegalArgumentException.class,
        () -> model.generate(req(longPrompt, SamplingParams.greedy(), 5)));
  }

  @Test
  void longPromptIsPrefilledInChunks() {
    String p = "river valley stone ".repeat(25);
    int n = model.tokenizer().encode(p).length;
    assertTrue(n > 64, "prompt must exceed the 64-token prefill budget, has " + n);
    GenerationOutput a = model.generate(req(p, SamplingParams.greedy(), 6), FIXED);
    try (DjlLanguageModel whole = Models.open(TinyModels.tiny(), EngineOptions.defaults()
        .withMaxBatchSize(1).withMaxSequenceLength(256).withPrefillTokens(512))) {
      GenerationOutput b = whole.generate(req(p, SamplingParams.greedy(), 6), FIXED);
      assertArrayEquals(b.tokenIds(), a.tokenIds());
    }
    assertNotEquals(0, a.tokenIds().length);
  }

  @Test
  void aListenerReceivesTheTextPieceByPieceAndNothingPastAStopString() {
    GenerationRequest plain = req(prompt(4), SamplingParams.greedy(), 30);
    List<String> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();
    GenerationResult streamed = model.generate(plain, pieces::add);
    assertEquals(model.generate(plain).text(), streamed.text());
    assertEquals(streamed.text(), String.join("", pieces));
    assertTrue(pieces.size() > 3, "30 tokens arrive in more than a few pieces: " + pieces);

    String text = streamed.text();
    String stop = text.substring(10, 14);
    GenerationRequest stopping = new GenerationRequest(prompt(4), "", SamplingParams.greedy(), 30,
        List.of(stop), null);
    List<String> cut = new java.util.concurrent.CopyOnWriteArrayList<>();
    GenerationResult stopped = model.generate(stopping, cut::add);
    assertEquals(text.substring(0, text.indexOf(stop)), stopped.text());
    assertEquals(stopped.text(), String.join("", cut));
    assertEquals(FinishReason.STOP, stopped.finishReason());

    // A listener that throws loses its stream; the request still completes.
    GenerationResult failing = model.generate(plain, piece -> {
      throw new IllegalStateException("client left");
    });
    assertEquals(text, failing.text());
  }
}
