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

    String thinned = SftRows.dropLines(initial, 0.2, new SplittableRandom(42));
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
      dropped += 100 - (int) SftRows.dropLines(initial, 0.2, new SplittableRandom(seed)).lines().count();
    }
    assertEquals(0.2, dropped / 20_000.0, 0.015);
  }

  @Test
  void dropLinesKeepsParagraphBreaksAndAtLeastOneLine() {
    assertEquals("a\n\nc", SftRows.dropLines("\n\na\n\n\n\nc\n\n", 0.0, new SplittableRandom(1)));
    assertEquals("a", SftRows.dropLines("a\nb\nc", 1.0, new SplittableRandom(1)));
    assertEquals("", SftRows.dropLines(" \n ", 0.5, new SplittableRandom(1)));
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
