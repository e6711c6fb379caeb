package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.LengthEvalSummary;
import selflengthen.v1.ScoreBreakdown;
import selflengthen.v1.ScoreGroup;

/** A LonGen answers file with one hand-scored answer per branch, through scoring and the report. */
class LonGenEvaluationTest {
  private static final double EPS = 1e-9;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  private static String row(String language, String type, String constraint, String response) throws IOException {
    return MAPPER.writeValueAsString(
        MAPPER.createObjectNode()
            .put("language", language)
            .put("range", "2-4k")
            .put("type", type)
            .put("constraint", constraint)
            .put("query", "write something long")
            .put("response", response));
  }

  private static String english(int words) {
    return "word ".repeat(words).strip();
  }

  private static String chinese(int characters) {
    return "字".repeat(characters);
  }

  private Path answers() throws IOException {
    Path file = tmp.resolve("longen-answers.jsonl");
    Files.write(
        file,
        List.of(
            row("en", "about", "about 2000 words", english(2000)), // inside [1600,2400]: 1
            row("zh", "about", "大约两千字", chinese(1200)), // below 1600: 2*1200/1600-1 = 0.5
            row("en", "range", "2000-3000 words", english(3300)), // above 3000: 3-2*3300/3000 = 0.8
            row("zh", "above", "大于2000字", chinese(1800)), // below 2000: 2*1800/2000-1 = 0.8
            row("en", "below", "less than 4000 words", english(5000)), // above 4000: 3-2*5000/4000 = 0.5
            row("zh", "below", "小于4000字", "")), // empty: 0
        StandardCharsets.UTF_8);
    return file;
  }

  private static ScoreGroup group(LengthEvalSummary summary, String by, String key) {
    ScoreBreakdown breakdown =
        summary.getBreakdownsList().stream().filter(b -> b.getBy().equals(by)).findFirst().orElseThrow();
    return breakdown.getGroupsList().stream().filter(g -> g.getKey().equals(key)).findFirst().orElseThrow();
  }

  @Test
  void scoresEveryRowAndSumsUp() throws IOException {
    LengthEvaluation.Result result = LengthEvaluation.scoreResponses(Benchmark.LONGEN, answers());
    assertEquals(
        List.of(1.0, 0.5, 0.8, 0.8, 0.5, 0.0),
        result.rows().stream().map(r -> Math.round(r.score() * 1e9) / 1e9).toList());
    LengthEvalSummary summary = result.summary();
    assertEquals(6, summary.getCount());
    assertEquals(3.6 / 6, summary.getOverall(), EPS);
    assertEquals("self-lengthen", summary.getWordCount());
    assertEquals(0.75, group(summary, "type", "about").getMean(), EPS);
    assertEquals(0.8, group(summary, "type", "range").getMean(), EPS);
    assertEquals(0.8, group(summary, "type", "above").getMean(), EPS);
    assertEquals(0.25, group(summary, "type", "below").getMean(), EPS);
    assertEquals(2, group(summary, "type", "below").getCount());
    assertEquals(2.3 / 3, group(summary, "language", "en").getMean(), EPS);
    assertEquals(1.3 / 3, group(summary, "language", "zh").getMean(), EPS);
    // Types in LonGen's order, not alphabetical.
    assertEquals(
        List.of("about", "range", "above", "below"),
        summary.getBreakdowns(0).getGroupsList().stream().map(ScoreGroup::getKey).toList());
    // Nominal lengths: 2000, 2000, 2500 (range midpoint), 2000, 4000, 4000.
    assertEquals(16500.0 / 6, summary.getMeanRequiredWords(), EPS);
    assertEquals((2000 + 1200 + 3300 + 1800 + 5000 + 0) / 6.0, summary.getMeanProducedWords(), EPS);
  }

  @Test
  void groupingFieldsMayBeAbsent() throws IOException {
    Path file = tmp.resolve("minimal.jsonl");
    Files.writeString(
        file,
        "{\"type\": \"below\", \"constraint\": \"小于两千字\", \"query\": \"q\", \"response\": \""
            + chinese(1500) + "\"}\n",
        StandardCharsets.UTF_8);
    LengthEvalSummary summary = LengthEvaluation.scoreResponses(Benchmark.LONGEN, file).summary();
    assertEquals(1.0, summary.getOverall(), EPS); // [1000, 2000] holds 1500
    assertEquals(List.of("type"), summary.getBreakdownsList().stream().map(ScoreBreakdown::getBy).toList());
  }

  @Test
  void writesJsonMarkdownRowsAndPlots() throws IOException {
    Path answers = answers();
    LengthEvaluation.Result result = LengthEvaluation.scoreResponses(Benchmark.LONGEN, answers);
    Path out = tmp.resolve("report");
    EvalReport.Written written = EvalReport.write(result, out, EvalReport.stemOf(answers));

    JsonNode json = MAPPER.readTree(written.json().toFile());
    assertEquals("longen", json.get("benchmark").asText());
    assertEquals(0.6, json.get("overall").asDouble(), EPS);
    assertEquals(6, json.get("count").asInt());
    assertEquals(out.resolve("longen-answers.eval.json"), written.json());

    List<String> rows = Files.readAllLines(written.rows());
    assertEquals(6, rows.size());
    assertEquals(0.8, MAPPER.readTree(rows.get(2)).get("score").asDouble(), EPS);
    assertEquals(3300, MAPPER.readTree(rows.get(2)).get("produced_words").asInt());

    String markdown = Files.readString(written.markdown());
    assertTrue(markdown.contains("**0.6000**"), markdown);
    assertTrue(markdown.contains("| below | 2 | 0.2500 |"), markdown);
    // scatter + one bar chart per breakdown (type, language, range)
    assertEquals(4, written.plots().size());
    for (Path plot : written.plots()) {
      assertTrue(markdown.contains("](" + plot.getFileName() + ")"), "markdown links " + plot);
      BufferedImage image = ImageIO.read(plot.toFile());
      assertNotNull(image, "a readable PNG: " + plot);
      assertTrue(image.getWidth() >= 600 && image.getHeight() >= 400, plot + " size");
    }
    assertTrue(Files.exists(out.resolve("longen-answers.lengths.png")));
    assertTrue(Files.exists(out.resolve("longen-answers.score-by-type.png")));
  }
}
