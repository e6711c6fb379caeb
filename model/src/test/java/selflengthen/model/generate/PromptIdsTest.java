package selflengthen.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.TinyModels;

/** Raw prompts get BOS the way transformers' tokenizer(text) adds it; chat prompts do not. */
class PromptIdsTest {
  @TempDir Path dir;

  @Test
  void bosIsPrependedOnlyForTokenizersThatAddIt() throws Exception {
    try (var files = Files.list(TinyModels.tiny())) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.copy(p, dir.resolve(p.getFileName()));
      }
    }
    EngineOptions opts = EngineOptions.defaults().withMaxBatchSize(1).withMaxSequenceLength(32);
    int[] plain;
    try (DjlLanguageModel qwenStyle = Models.open(dir, opts)) {
      plain = qwenStyle.promptIds("The river");
      assertArrayEquals(qwenStyle.tokenizer().encode("The river"), plain);
    }
    ObjectMapper json = new ObjectMapper();
    ObjectNode cfg = (ObjectNode) json.readTree(dir.resolve("tokenizer_config.json").toFile());
    cfg.put("bos_token", "<|endoftext|>");
    cfg.remove("add_bos_token");
    json.writeValue(dir.resolve("tokenizer_config.json").toFile(), cfg);
    try (DjlLanguageModel llamaStyle = Models.open(dir, opts)) {
      int bos = llamaStyle.tokenizer().tokenId("<|endoftext|>").orElseThrow();
      int[] ids = llamaStyle.promptIds("The river");
      assertEquals(plain.length + 1, ids.length);
      assertEquals(bos, ids[0]);
      assertEquals(ids.length, llamaStyle.promptIds("<|endoftext|>The river").length,
          "a prompt that already starts with BOS keeps a single one");
    }
  }
}
