package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.LengthEvalSummary;

/** S_l by hand for every branch, the length buckets, and the published data at known lengths. */
class LongBenchWriteTest {
  private static final double EPS = 1e-9;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void exactLengthScoresHundred() {
    assertEquals(100, LongBenchWrite.lengthScore(1000, 1000), EPS);
    assertEquals(100, LongBenchWrite.lengthScore(137, 137), EPS);
  }

  @Test
  void longerAnswersLoseAThirdPerExtraMultiple() {
    assertEquals(80, LongBenchWrite.lengthScore(1000, 1600), EPS); // 100 * (1 - 0.6/3)
    assertEquals(100.0 * 2 / 3, LongBenchWrite.lengthScore(1000, 2000), EPS); // 100 * (1 - 1/3)
    assertEquals(0, LongBenchWrite.lengthScore(1000, 4000), EPS); // 100 * (1 - 3/3)
    assertEquals(0, LongBenchWrite.lengthScore(1000, 9000), EPS); // clamped
  }

  @Test
  void shorterAnswersLoseAHalfPerMissingMultiple() {
    assertEquals(87.5, LongBenchWrite.lengthScore(1000, 800), EPS); // 100 * (1 - 0.25/2)
    assertEquals(50, LongBenchWrite.lengthScore(1000, 500), EPS); // 100 * (1 - 1/2)
    assertEquals(0, LongBenchWrite.lengthScore(1000, 250), EPS); // 100 * (1 - 3/2) -> 0
    assertEquals(0, LongBenchWrite.lengthScore(1000, 0), EPS); // empty answer, no division by 0
  }

  @Test
  void requiredLengthMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> LongBenchWrite.lengthScore(0, 10));
  }

  @Test
  void buckets() {
    assertEquals("[0,500)", LengthBucket.of(100).label());
    assertEquals("[0,500)", LengthBucket.of(499).label());
    assertEquals("[500,2000)", LengthBucket.of(500).label());
    assertEquals("[2000,4000)", LengthBucket.of(2000).label());
    assertEquals("[4000,20000]", LengthBucket.of(4000).label());
    assertEquals("[4000,20000]", LengthBucket.of(20000).label());
    assertEquals("(20000,inf)", LengthBucket.of(20001).label());
  }

  @Test
  void scoresARowWithItsOwnWordCount() {
    // LongBench-Write counts CJK characters + Latin letter runs: "It's 2 GPUs, 好的" -> It, s, GPUs, 好, 的 = 5
    JsonlRow row = row(1, "{\"prompt\":\"p\",\"type\":\"News Report\",\"length\":10}");
    ScoredRow scored = new LongBenchWrite().score(row, "It's 2 GPUs, 好的");
    assertEquals(5, scored.produced());
    assertEquals(100 * (1 - (10.0 / 5 - 1) / 2), scored.score(), EPS); // 50
    assertEquals("[0,500)", scored.groups().get("length bucket"));
    assertEquals("News Report", scored.groups().get("type"));
  }

  /** Every published prompt answered with exactly x, x/2 and 2x words: 100, 50 and 66.67. */
  @Test
  void publishedEnglishSetAtKnownLengths() throws IOException {
    Path published = SharedData.evalFile("longbench_write_en.jsonl");
    LengthEvalSummary exact = scoreAnswersOfLength(published, x -> x);
    LengthEvalSummary half = scoreAnswersOfLength(published, x -> x / 2);
    LengthEvalSummary twice = scoreAnswersOfLength(published, x -> 2 * x);
    System.out.printf(
        "longbench_write_en.jsonl (%d rows): S_l at x = %.4f, at x/2 = %.4f, at 2x = %.4f%n",
        exact.getCount(), exact.getOverall(), half.getOverall(), twice.getOverall());
    assertEquals(60, exact.getCount());
    assertEquals(100, exact.getOverall(), EPS);
    assertEquals(50, half.getOverall(), EPS);
    assertEquals(200.0 / 3, twice.getOverall(), EPS);
    exact.getBreakdownsList().forEach(b -> b.getGroupsList().forEach(g -> assertEquals(100, g.getMean(), EPS)));
  }

  @Test
  void publishedFullSetAtExactLength() throws IOException {
    LengthEvalSummary exact =
        scoreAnswersOfLength(SharedData.evalFile("longbench_write.jsonl"), x -> x);
    assertEquals(120, exact.getCount());
    assertEquals(100, exact.getOverall(), EPS);
  }

  private LengthEvalSummary scoreAnswersOfLength(Path published, IntUnaryOperator words) throws IOException {
    List<String> lines = new ArrayList<>();
    for (JsonlRow row : JsonlRows.read(published)) {
      ObjectNode node = ((ObjectNode) row.node()).deepCopy();
      int x = node.get("length").asInt();
      node.put("response", "word ".repeat(words.applyAsInt(x)).strip());
      lines.add(MAPPER.writeValueAsString(node));
    }
    Path responses = Files.createTempFile(tmp, "answers", ".jsonl");
    Files.write(responses, lines, StandardCharsets.UTF_8);
    return LengthEvaluation.scoreResponses(Benchmark.LONGBENCH_WRITE, responses).summary();
  }

  private JsonlRow row(long line, String json) {
    try {
      return new JsonlRow(Path.of("test.jsonl"), line, MAPPER.readTree(json));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
