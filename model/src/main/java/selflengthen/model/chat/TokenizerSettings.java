package selflengthen.model.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What tokenizer_config.json (plus chat_template.jinja / chat_template.json, where newer
 * transformers versions keep the template) says: the chat template and the special tokens.
 */
public record TokenizerSettings(String chatTemplate, Map<String, String> specialTokens) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] SPECIAL = {
    "bos_token", "eos_token", "pad_token", "unk_token", "sep_token", "cls_token", "mask_token"
  };

  public static TokenizerSettings read(Path dir) throws IOException {
    Path file = dir.resolve("tokenizer_config.json");
    JsonNode root = Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    Map<String, String> special = new LinkedHashMap<>();
    for (String key : SPECIAL) {
      JsonNode n = root.get(key);
      if (n != null && !n.isNull()) {
        special.put(key, n.isObject() ? n.path("content").asText() : n.asText());
      }
    }
    String template = template(root.get("chat_template"));
    if (template == null && Files.exists(dir.resolve("chat_template.jinja"))) {
      template = Files.readString(dir.resolve("chat_template.jinja"));
    }
    if (template == null && Files.exists(dir.resolve("chat_template.json"))) {
      template = template(JSON.readTree(dir.resolve("chat_template.json").toFile())
          .get("chat_template"));
    }
    return new TokenizerSettings(template, special);
  }

  /** A string, or a list of named templates of which "default" is the one for chat. */
  private static String template(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isTextual()) {
      return n.asText();
    }
    if (n.isArray()) {
      for (JsonNode t : n) {
        if ("default".equals(t.path("name").asText())) {
          return t.path("template").asText();
        }
      }
      return n.size() > 0 ? n.get(0).path("template").asText() : null;
    }
    return null;
  }
}
