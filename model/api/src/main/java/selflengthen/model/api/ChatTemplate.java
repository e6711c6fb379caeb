package selflengthen.model.api;

import java.util.List;

/** Turns chat messages into the model's prompt text (a checkpoint's tokenizer_config chat template). */
public interface ChatTemplate {
  String render(List<ChatMessage> messages, boolean addGenerationPrompt);
}
