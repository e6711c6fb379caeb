package selflengthen.method;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import selflengthen.model.api.ChatMessage;

/**
 * A rendered chat request: an optional system turn, the user turn, and the start the model's answer
 * is forced to begin with (empty for none). Pass {@link #messages()} and {@link #assistantPrefix()}
 * to {@code LanguageModel.chat}; the model's text continues after the prefix.
 */
public record ChatPrompt(String system, String user, String assistantPrefix) {
  public ChatPrompt {
    system = system == null ? "" : system;
    Objects.requireNonNull(user, "user");
    assistantPrefix = assistantPrefix == null ? "" : assistantPrefix;
  }

  /** The system turn (when not blank) and the user turn. */
  public List<ChatMessage> messages() {
    List<ChatMessage> messages = new ArrayList<>(2);
    if (!system.isBlank()) {
      messages.add(ChatMessage.system(system));
    }
    messages.add(ChatMessage.user(user));
    return List.copyOf(messages);
  }
}
