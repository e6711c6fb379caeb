package selflengthen.workers.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;

/**
 * Test double of the engine. Its natural continuation of a prompt (prompt + forced prefix) is
 * {@code "echo(<last word>) one two ... ten."}; a stop string cuts it (STOP), maxNewTokens cuts it
 * to that many words (LENGTH). A prompt containing FAIL makes it throw; TOO_LONG makes it refuse
 * the input as an engine does. It records every request and the most calls it had in flight at
 * once; with a gate of N, each call waits (up to 5 s) until N calls have arrived.
 */
final class EchoLanguageModel implements LanguageModel {
  static final String TAIL = "one two three four five six seven eight nine ten.";

  final List<GenerationRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile CountDownLatch gate = new CountDownLatch(0);
  private volatile long holdMillis = 0;
  volatile boolean closed;

  EchoLanguageModel gate(int calls) {
    this.gate = new CountDownLatch(calls);
    return this;
  }

  EchoLanguageModel hold(long millis) {
    this.holdMillis = millis;
    return this;
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  static String naturalContinuation(String fullPrompt) {
    String[] words = fullPrompt.strip().split("\\s+");
    return "echo(" + words[words.length - 1] + ") " + TAIL;
  }

  @Override
  public GenerationResult generate(GenerationRequest request) {
    requests.add(request);
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      waitForCompany();
      String full = request.prompt() + request.forcedPrefix();
      if (full.contains("FAIL")) {
        throw new IllegalStateException("CUDA error: device-side assert triggered");
      }
      if (full.contains("TOO_LONG")) {
        throw new IllegalArgumentException("prompt is longer than the model's context");
      }
      String text = naturalContinuation(full);
      FinishReason reason = FinishReason.STOP;
      int cut =
          request.stopStrings().stream()
              .mapToInt(text::indexOf)
              .filter(i -> i >= 0)
              .min()
              .orElse(-1);
      if (cut >= 0) {
        text = text.substring(0, cut);
      }
      List<String> words = words(text);
      if (words.size() > request.maxNewTokens()) {
        text = String.join(" ", words.subList(0, request.maxNewTokens()));
        reason = FinishReason.LENGTH;
      }
      return new GenerationResult(text, words(full).size(), words(text).size(), reason, new int[0]);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void waitForCompany() {
    try {
      gate.countDown();
      gate.await(5, TimeUnit.SECONDS);
      if (holdMillis > 0) {
        Thread.sleep(holdMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  private static List<String> words(String text) {
    return text.isBlank() ? List.of() : Arrays.asList(text.strip().split("\\s+"));
  }

  @Override
  public ChatTemplate chatTemplate() {
    return (messages, addGenerationPrompt) ->
        messages.stream()
                .map(m -> "<" + m.role() + ">" + m.content() + "\n")
                .collect(Collectors.joining())
            + (addGenerationPrompt ? "<assistant>" : "");
  }

  @Override
  public String name() {
    return "echo-model";
  }

  @Override
  public void close() {
    closed = true;
  }
}
