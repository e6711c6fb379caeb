package selflengthen.model.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.chat.JinjaChatTemplate;
import selflengthen.model.chat.TokenizerSettings;
import selflengthen.model.tokenizer.TextTokenizer;

/**
 * The small files of a Hugging Face checkpoint directory (config.json, tokenizer_config.json,
 * generation_config.json), read without touching the weights.
 */
public record Checkpoint(
    Path dir, ModelConfig config, TokenizerSettings tokenizerSettings, GenerationDefaults generation) {

  public static Checkpoint read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "checkpoint directory does not exist");
    }
    return new Checkpoint(dir, ModelConfig.read(dir), TokenizerSettings.read(dir),
        GenerationDefaults.read(dir));
  }

  public TextTokenizer loadTokenizer() throws IOException {
    return TextTokenizer.load(dir);
  }

  /** The checkpoint's chat template; rendering fails clearly when the checkpoint has none. */
  public ChatTemplate chatTemplate() {
    String template = tokenizerSettings.chatTemplate();
    if (template == null) {
      return new ChatTemplate() {
        @Override
        public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
          throw new IllegalStateException(dir + " has no chat_template in tokenizer_config.json;"
              + " use an instruct checkpoint or raw prompts");
        }
      };
    }
    return new JinjaChatTemplate(template, tokenizerSettings.specialTokens());
  }

  /**
   * Ids that end generation: generation_config's, config.json's and the tokenizer's eos_token.
   */
  public Set<Integer> eosTokenIds(TextTokenizer tokenizer) {
    Set<Integer> ids = new LinkedHashSet<>(generation.eosTokenIds());
    ids.addAll(config.eosTokenIds());
    String eos = tokenizerSettings.specialTokens().get("eos_token");
    if (eos != null) {
      tokenizer.tokenId(eos).ifPresent(ids::add);
    }
    return ids;
  }

  public String name() {
    Path f = dir.toAbsolutePath().normalize().getFileName();
    return f == null ? dir.toString() : f.toString();
  }
}
