package selflengthen.eval;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;

/** Test double: answers each request with the next scripted text and records the requests. */
final class ScriptedLanguageModel implements LanguageModel {
  private final Deque<String> outputs;
  final List<GenerationRequest> requests = new ArrayList<>();
  private FinishReason finishReason = FinishReason.STOP;

  ScriptedLanguageModel(String... outputs) {
    this.outputs = new ArrayDeque<>(List.of(outputs));
  }

  ScriptedLanguageModel finishingWith(FinishReason reason) {
    this.finishReason = reason;
    return this;
  }

  @Override
  public synchronized GenerationResult generate(GenerationRequest request) {
    requests.add(request);
    if (outputs.isEmpty()) {
      throw new IllegalStateException("script exhausted after " + requests.size() + " requests");
    }
    String text = outputs.poll();
    return new GenerationResult(text, request.prompt().length(), text.length(), finishReason, new int[0]);
  }

  @Override
  public ChatTemplate chatTemplate() {
    return (messages, addGenerationPrompt) ->
        messages.stream().map(m -> "<" + m.role() + ">" + m.content()).collect(Collectors.joining("\n"))
            + (addGenerationPrompt ? "\n<assistant>" : "");
  }

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public void close() {}
}
