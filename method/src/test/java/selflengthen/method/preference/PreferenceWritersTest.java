package selflengthen.method.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreferenceWritersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  static final PreferencePair EXT = new PreferencePair("extension", 3, 0, "写一篇关于河流的文章",
      null, "河流从山上流向大海，一路冲刷出山谷。", "河流流动。", 17, 5);
  static final PreferencePair SURI = new PreferencePair("corrupted_instruction", 3, 0,
      "Write 600 words.", "Write 60 words.", "Long text.", "Long text.", 2, 2);

  @Test
  void llamaFactorySetIsARankingAlpacaArrayAndKeepsOtherEntries() throws Exception {
    Files.writeString(dir.resolve("dataset_info.json"), "{\"sft\": {\"file_name\": \"sft.json\"}}");
    int written = PreferenceWriters.writeLlamaFactory(dir, "preference_r1", List.of(EXT, SURI, EXT));
    assertEquals(2, written, "the Suri pair has two prompts and is left out");
    JsonNode rows = JSON.readTree(dir.resolve("preference_r1.json").toFile());
    assertEquals(2, rows.size());
    assertEquals("写一篇关于河流的文章", rows.get(0).get("instruction").asText());
    assertEquals("", rows.get(0).get("input").asText());
    assertEquals(EXT.chosen(), rows.get(0).get("chosen").asText());
    assertEquals("河流流动。", rows.get(0).get("rejected").asText());
    String text = Files.readString(dir.resolve("preference_r1.json"), StandardCharsets.UTF_8);
    assertTrue(text.contains("河流"), "non-ASCII is written as it is");
    assertEquals(4, text.split("\n").length, "one row a line between the brackets");

    JsonNode info = JSON.readTree(dir.resolve("dataset_info.json").toFile());
    assertEquals("sft.json", info.at("/sft/file_name").asText());
    JsonNode e = info.get("preference_r1");
    assertEquals("preference_r1.json", e.get("file_name").asText());
    assertTrue(e.get("ranking").asBoolean());
    assertEquals("alpaca", e.get("formatting").asText());
    assertEquals("instruction", e.at("/columns/prompt").asText());
    assertEquals("input", e.at("/columns/query").asText());
    assertEquals("chosen", e.at("/columns/chosen").asText());
    assertEquals("rejected", e.at("/columns/rejected").asText());
  }

  @Test
  void anEmptySetIsAnEmptyArray() throws Exception {
    assertEquals(0, PreferenceWriters.writeLlamaFactory(dir, "p", List.of()));
    assertEquals(0, JSON.readTree(dir.resolve("p.json").toFile()).size());
  }

  @Test
  void trlJsonlHasPromptChosenRejectedMessages() throws Exception {
    Path file = dir.resolve("trl.jsonl");
    PreferenceWriters.writeTrl(file, List.of(EXT, SURI));
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(2, lines.size());
    JsonNode a = JSON.readTree(lines.get(0));
    assertEquals("user", a.at("/prompt/0/role").asText());
    assertEquals(EXT.prompt(), a.at("/prompt/0/content").asText());
    assertEquals(1, a.get("chosen").size());
    assertEquals("assistant", a.at("/chosen/0/role").asText());
    assertEquals(EXT.chosen(), a.at("/chosen/0/content").asText());
    assertEquals(EXT.rejected(), a.at("/rejected/0/content").asText());
    // a two-prompt pair: implicit prompt, whole conversations
    JsonNode b = JSON.readTree(lines.get(1));
    assertFalse(b.has("prompt"));
    assertEquals("Write 600 words.", b.at("/chosen/0/content").asText());
    assertEquals("Write 60 words.", b.at("/rejected/0/content").asText());
    assertEquals("Long text.", b.at("/rejected/1/content").asText());
    assertEquals("assistant", b.at("/rejected/1/role").asText());
  }

  @Test
  void pairsRoundTripWithTheirLineage() throws Exception {
    Path file = dir.resolve("pairs.jsonl");
    PreferenceWriters.writePairs(file, List.of(EXT, SURI));
    assertEquals(List.of(EXT, SURI), PreferenceWriters.readPairs(file));
    JsonNode first = JSON.readTree(Files.readAllLines(file).get(0));
    assertEquals("extension", first.get("kind").asText());
    assertEquals(3, first.get("row").asInt());
    assertEquals(17, first.get("chosen_words").asInt());
    assertFalse(first.has("rejected_prompt"));
  }
}
