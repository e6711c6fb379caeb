package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A malformed row fails with the file, the 1-based line (blank lines counted) and the field. */
class MalformedRowsTest {
  private static final String GOOD_LONGEN =
      "{\"language\":\"en\",\"range\":\"2-4k\",\"type\":\"about\",\"constraint\":\"about 2000 words\","
          + "\"query\":\"q\",\"response\":\"a b c\"}";
  private static final String GOOD_LBW =
      "{\"prompt\":\"p\",\"type\":\"News Report\",\"length\":300,\"response\":\"a b c\"}";

  @TempDir Path tmp;

  private String failure(Benchmark benchmark, String... lines) throws IOException {
    Path file = tmp.resolve("answers.jsonl");
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    EvalInputException e =
        assertThrows(EvalInputException.class, () -> LengthEvaluation.scoreResponses(benchmark, file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    return e.getMessage();
  }

  private static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "\"" + message + "\" should mention " + part);
    }
  }

  @Test
  void missingConstraint() throws IOException {
    String bad = GOOD_LONGEN.replace("\"constraint\":\"about 2000 words\",", "");
    assertMentions(failure(Benchmark.LONGEN, GOOD_LONGEN, "", bad), "line 3:", "'constraint'", "missing");
  }

  @Test
  void unknownConstraintType() throws IOException {
    String bad = GOOD_LONGEN.replace("\"about\"", "\"around\"");
    assertMentions(
        failure(Benchmark.LONGEN, bad), "line 1:", "'type'", "about, range, above, below", "around");
  }

  @Test
  void constraintWithoutNumber() throws IOException {
    String bad = GOOD_LONGEN.replace("about 2000 words", "quite long");
    assertMentions(failure(Benchmark.LONGEN, GOOD_LONGEN, bad), "line 2:", "'constraint'", "no number");
  }

  @Test
  void rangeWithOneNumber() throws IOException {
    String bad = GOOD_LONGEN.replace("\"about\"", "\"range\"");
    assertMentions(failure(Benchmark.LONGEN, bad), "line 1:", "'constraint'", "two numbers");
  }

  @Test
  void brokenJson() throws IOException {
    assertMentions(failure(Benchmark.LONGEN, GOOD_LONGEN, "{\"type\": \"about\","), "line 2:", "not valid JSON");
  }

  @Test
  void notAnObject() throws IOException {
    assertMentions(failure(Benchmark.LONGBENCH_WRITE, "[1, 2]"), "line 1:", "expected a JSON object");
  }

  @Test
  void missingResponse() throws IOException {
    String bad = GOOD_LBW.replace(",\"response\":\"a b c\"", "");
    assertMentions(failure(Benchmark.LONGBENCH_WRITE, GOOD_LBW, GOOD_LBW, bad), "line 3:", "'response'", "missing");
  }

  @Test
  void lengthNotANumber() throws IOException {
    String bad = GOOD_LBW.replace("300", "\"three hundred\"");
    assertMentions(failure(Benchmark.LONGBENCH_WRITE, bad), "line 1:", "'length'", "must be a number");
  }

  @Test
  void lengthZero() throws IOException {
    String bad = GOOD_LBW.replace("300", "0");
    assertMentions(failure(Benchmark.LONGBENCH_WRITE, GOOD_LBW, bad), "line 2:", "'length'", "greater than 0");
  }

  @Test
  void missingPrompt() throws IOException {
    String bad = GOOD_LBW.replace("\"prompt\":\"p\",", "");
    assertMentions(failure(Benchmark.LONGBENCH_WRITE, bad), "line 1:", "'prompt'", "missing");
  }

  @Test
  void emptyFile() throws IOException {
    assertMentions(failure(Benchmark.LONGEN, "", "  "), "no rows");
  }

  @Test
  void missingFile() {
    Path absent = tmp.resolve("absent.jsonl");
    EvalInputException e =
        assertThrows(EvalInputException.class, () -> LengthEvaluation.scoreResponses(Benchmark.LONGEN, absent));
    assertMentions(e.getMessage(), absent.toString(), "no such file");
  }
}
