package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.api.SftExample;

class SftRowsTest {
  @TempDir Path dir;

  @Test
  void generatorRowMapsInstructionToExtendedResponse() {
    SftExample row = SftRows.generatorRow("Write a saga.", "A long saga.");
    assertEquals(new SftExample("Write a saga.", "", "A long saga."), row);
  }

  @Test
  void extenderRowDropsAboutAFifthOfTheLines() {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      lines.add("Line " + i + ".");
    }
    String initial = String.join("\n", lines);
    PromptSet prompts = LanguageProfile.EN.defaultPrompts();
    SftExample row =
        SftRows.extenderRow(prompts, "Write a saga.", initial, "The extended saga.", 0.2, new SplittableRandom(42));
    assertEquals("", row.input());
    assertEquals("The extended saga.", row.output());
    assertTrue(row.instruction().contains("Write a saga."));

    SplittableRandom same = new SplittableRandom(42);
    String thinned = SftRows.dropLines(initial, 0.2, "\n", same::nextDouble);
    assertTrue(row.instruction().contains(thinned), "the prompt holds the thinned response");
    List<String> kept = thinned.lines().toList();
    // Binomial(100, 0.8): mean 80, sd 4.
    assertTrue(kept.size() >= 68 && kept.size() <= 92, "kept " + kept.size());
    assertTrue(kept.size() < 100);
    // Kept lines keep their order and text.
    assertTrue(lines.containsAll(kept));
    List<Integer> positions = kept.stream().map(lines::indexOf).toList();
    assertEquals(positions.stream().sorted().toList(), positions);
    // Same seed, same row.
    assertEquals(row, SftRows.extenderRow(prompts, "Write a saga.", initial, "The extended saga.", 0.2, new SplittableRandom(42)));

    // Over many seeds the drop share averages 0.2.
    int dropped = 0;
    for (long seed = 0; seed < 200; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      dropped += 100 - (int) SftRows.dropLines(initial, 0.2, "\n", r::nextDouble).lines().count();
    }
    assertEquals(0.2, dropped / 20_000.0, 0.015);
  }

  @Test
  void dropLinesDrawsForEveryLineBlankOnesTooAndRejoinsWithTheJoiner() {
    // Lines of "a\n\nb\n c": "a", "", "b", " c"; a draw below 0.8 keeps the line.
    assertEquals("a\n\n\n\nb", SftRows.dropLines("a\n\nb\n c", 0.2, "\n\n", new ScriptedRandom(0.1, 0.79, 0.5, 0.8)::nextDouble));
    assertEquals("a\n\nb", SftRows.dropLines("a\n\nb\n c", 0.2, "\n", new ScriptedRandom(0.1, 0.79, 0.5, 0.8)::nextDouble));
    // Every line may go; an empty text is one line.
    assertEquals("", SftRows.dropLines("a\nb", 0.2, "\n", new ScriptedRandom(0.9, 0.95)::nextDouble));
    assertEquals("", SftRows.dropLines("", 0.2, "\n", new ScriptedRandom(0.1)::nextDouble));
    // A trailing newline makes a last empty line, drawn for like any other.
    assertEquals("a\n\n", SftRows.dropLines("a\n", 0.2, "\n\n", new ScriptedRandom(0.1, 0.2)::nextDouble));
  }

  @Test
  void theExtenderRowJoinsKeptLinesAsTheProfilesReference() {
    ScriptedRandom zhDraws = new ScriptedRandom(0.1, 0.1);
    SftExample zh =
        SftRows.extenderRow(LanguageProfile.ZH.defaultPrompts(), "写。", "甲\n乙", "长。", 0.2, zhDraws);
    assertTrue(zh.instruction().contains("甲\n\n乙"), zh.instruction());
    ScriptedRandom enDraws = new ScriptedRandom(0.1, 0.1);
    SftExample en =
        SftRows.extenderRow(LanguageProfile.EN.defaultPrompts(), "Write.", "one\ntwo", "Long.", 0.2, enDraws);
    assertTrue(en.instruction().contains("one\ntwo"), en.instruction());
    assertTrue(zhDraws.exhausted() && enDraws.exhausted());
  }

  @Test
  void writesTheLlamaFactoryJsonArrayAndDatasetInfo() throws Exception {
    List<SftExample> rows =
        List.of(
            new SftExample("写一篇文章。", "", "文章\n正文。"),
            new SftExample("Quote \"this\" {text}", "", "Out."));
    Path file = dir.resolve("gen_sft.json");
    SftRows.writeLlamaFactoryJson(file, rows);
    String json = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(json.contains("写一篇文章"), "non-ASCII is written as is");
    assertEquals(4, json.lines().count(), json); // "[", two rows, "]"
    JsonNode array = new ObjectMapper().readTree(json);
    assertEquals(2, array.size());
    assertEquals("文章\n正文。", array.get(0).get("output").asText());
    assertEquals("", array.get(1).get("input").asText());
    assertEquals(rows, SftRows.readLlamaFactoryJson(file));

    SftRows.writeLlamaFactoryJson(dir.resolve("empty.json"), List.of());
    assertEquals(List.of(), SftRows.readLlamaFactoryJson(dir.resolve("empty.json")));

    Path info = dir.resolve("data/dataset_info.json");
    SftRows.putDatasetInfo(info, "gen_sft", "gen_sft.json");
    SftRows.putDatasetInfo(info, "ext_sft", "ext_sft.json");
    SftRows.putDatasetInfo(info, "gen_sft", "gen_sft_r2.json");
    JsonNode root = new ObjectMapper().readTree(info.toFile());
    assertEquals("gen_sft_r2.json", root.get("gen_sft").get("file_name").asText());
    assertEquals("ext_sft.json", root.get("ext_sft").get("file_name").asText());
    JsonNode columns = root.get("ext_sft").get("columns");
    assertEquals("instruction", columns.get("prompt").asText());
    assertEquals("input", columns.get("query").asText());
    assertEquals("output", columns.get("response").asText());
    try (var listing = Files.list(info.getParent())) {
      assertFalse(listing.anyMatch(p -> p.toString().endsWith(".tmp")), "no temporary files left");
    }
  }
}
