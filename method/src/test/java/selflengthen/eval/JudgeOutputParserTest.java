package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JudgeOutputParserTest {
  private static final JudgeOutputParser SELF_LENGTHEN = new JudgeOutputParser(JudgeRubric.SELF_LENGTHEN);
  private static final JudgeOutputParser LONGBENCH = new JudgeOutputParser(JudgeRubric.LONGBENCH_WRITE);
  private static final String SEVEN =
      "\"Relevance\": 8, \"Coherence\": 7, \"Accuracy\": 6, \"Consistency\": 9, \"Clarity\": 8, "
          + "\"Creativity\": 5, \"Engagement\": 7";
  private static final List<Double> SEVEN_VALUES = List.of(8.0, 7.0, 6.0, 9.0, 8.0, 5.0, 7.0);

  private static JudgeOutputParser.Scores scores(JudgeOutputParser parser, String output) {
    JudgeOutputParser.Parse parse = parser.parse(output);
    return assertInstanceOf(JudgeOutputParser.Scores.class, parse, () -> "not parsed: " + parse);
  }

  private static String failure(JudgeOutputParser parser, String output) {
    JudgeOutputParser.Parse parse = parser.parse(output);
    return assertInstanceOf(JudgeOutputParser.Failure.class, parse, () -> "parsed: " + parse).reason();
  }

  private static void assertSeven(JudgeOutputParser.Scores scores) {
    assertEquals(JudgeRubric.SELF_LENGTHEN.dimensions(), List.copyOf(scores.byDimension().keySet()));
    assertEquals(SEVEN_VALUES, List.copyOf(scores.byDimension().values()));
  }

  @Test
  void cleanJson() {
    JudgeOutputParser.Scores s =
        scores(SELF_LENGTHEN, "{\"Analysis\": \"Solid but dull.\", " + SEVEN + "}");
    assertSeven(s);
    assertEquals("Solid but dull.", s.analysis());
  }

  @Test
  void codeFenceWithProseAround() {
    assertSeven(
        scores(
            SELF_LENGTHEN,
            "Here is my evaluation:\n```json\n{\"analysis\": \"ok\", " + SEVEN + "}\n```\nLet me know if you need more."));
  }

  @Test
  void bareObjectWithTrailingProseAndTrailingComma() {
    assertSeven(scores(SELF_LENGTHEN, "Sure! {" + SEVEN + ",}\nOverall a decent answer; {not json} here."));
  }

  @Test
  void singleQuotesAndOtherKeyCase() {
    String output =
        "{'ANALYSIS': 'fine', 'relevance': 8, 'coherence': 7, 'ACCURACY': 6, 'Consistency': 9,"
            + " 'clarity': 8, 'CreaTivity': 5, 'engagement': 7}";
    assertSeven(scores(SELF_LENGTHEN, output));
  }

  @Test
  void singleQuotedStringsWithApostrophesFallBackToPairs() {
    String output =
        "{'Analysis': 'It doesn't flow', 'Relevance': 8, 'Coherence': 7, 'Accuracy': 6, 'Consistency': 9,"
            + " 'Clarity': 8, 'Creativity': 5, 'Engagement': 7}";
    assertSeven(scores(SELF_LENGTHEN, output));
  }

  @Test
  void scoresAsStrings() {
    String output =
        "{\"Relevance\": \"8/10\", \"Coherence\": \"7\", \"Accuracy\": \"6 out of 10\", \"Consistency\": 9,"
            + " \"Clarity\": \" 8 \", \"Creativity\": \"5/10 - derivative\", \"Engagement\": \"7.0\"}";
    assertSeven(scores(SELF_LENGTHEN, output));
    assertEquals(
        7.5,
        scores(SELF_LENGTHEN, "{" + SEVEN.replace("\"Engagement\": 7", "\"Engagement\": \"7.5\"") + "}")
            .byDimension()
            .get("Engagement"));
  }

  @Test
  void bracesAndQuotesInsideTheAnalysis() {
    String output = "{\"Analysis\": \"The {tone} isn't \\\"bad\\\" but }{ odd\", " + SEVEN + "}";
    JudgeOutputParser.Scores s = scores(SELF_LENGTHEN, output);
    assertSeven(s);
    assertEquals("The {tone} isn't \"bad\" but }{ odd", s.analysis());
  }

  @Test
  void nestedScoresAndScoreObjects() {
    assertSeven(scores(SELF_LENGTHEN, "{\"analysis\": \"x\", \"scores\": {" + SEVEN + "}}"));
    String objects =
        SEVEN.replace("\"Relevance\": 8", "\"Relevance\": {\"score\": 8, \"reason\": \"on topic\"}");
    assertSeven(scores(SELF_LENGTHEN, "{" + objects + "}"));
  }

  @Test
  void plainTextPairs() {
    String output =
        "Analysis: readable.\n**Relevance**: 8\nCoherence - no wait. Coherence: 7\nAccuracy = 6\n"
            + "Consistency: 9/10\nClarity: 8\nCreativity: 5\nEngagement: 7";
    assertSeven(scores(SELF_LENGTHEN, output));
  }

  @Test
  void outOfRangeIsAFailureWithReason() {
    String reason = failure(SELF_LENGTHEN, "{" + SEVEN.replace("\"Relevance\": 8", "\"Relevance\": 11") + "}");
    assertTrue(reason.contains("Relevance 11 is outside 1-10"), reason);
    String zero = failure(SELF_LENGTHEN, "{" + SEVEN.replace("\"Clarity\": 8", "\"Clarity\": \"0/10\"") + "}");
    assertTrue(zero.contains("Clarity \"0/10\" is outside 1-10"), zero);
  }

  @Test
  void missingDimensionsAreAFailureNamingThem() {
    String output = "{\"Relevance\": 8, \"Coherence\": 7, \"Accuracy\": 6, \"Consistency\": 9, \"Clarity\": 8}";
    String reason = failure(SELF_LENGTHEN, output);
    assertTrue(reason.contains("missing Creativity, Engagement"), reason);
  }

  @Test
  void notANumber() {
    String reason =
        failure(SELF_LENGTHEN, "{" + SEVEN.replace("\"Accuracy\": 6", "\"Accuracy\": \"good\"") + "}");
    assertTrue(reason.contains("Accuracy is not a score: \"good\""), reason);
  }

  @Test
  void emptyAndUnrelatedOutput() {
    assertEquals("empty output", failure(SELF_LENGTHEN, "  \n"));
    assertEquals("empty output", failure(SELF_LENGTHEN, null));
    String reason = failure(SELF_LENGTHEN, "I cannot evaluate this response.");
    assertTrue(reason.contains("no self-lengthen ratings found"), reason);
  }

  @Test
  void truncatedJsonKeepsWhatItCanAndNamesTheRest() {
    String reason = failure(SELF_LENGTHEN, "{\"Analysis\": \"long...\", \"Relevance\": 8, \"Coherence\": 7, \"Accu");
    assertTrue(reason.contains("missing Accuracy, Consistency, Clarity, Creativity, Engagement"), reason);
  }

  @Test
  void longBenchWriteKeysInOtherSpellings() {
    String output =
        "```\n{\"analysis\": \"good\", \"relevance\": 5, \"accuracy\": \"4/5\", \"coherence\": 3,"
            + " \"clarity\": 2, \"breadth_and_depth\": 1, \"Reading experience\": 3}\n```";
    JudgeOutputParser.Scores s = scores(LONGBENCH, output);
    assertEquals(
        Map.of("Relevance", 5.0, "Accuracy", 4.0, "Coherence", 3.0, "Clarity", 2.0,
            "Breadth and Depth", 1.0, "Reading Experience", 3.0),
        s.byDimension());
    String ampersand =
        "{\"Relevance\": 5, \"Accuracy\": 4, \"Coherence\": 3, \"Clarity\": 2, \"Breadth & Depth\": 1,"
            + " \"ReadingExperience\": 3}";
    assertEquals(1.0, scores(LONGBENCH, ampersand).byDimension().get("Breadth and Depth"));
  }

  @Test
  void aScoreOnAnotherScaleIsRefused() {
    String output =
        "{\"Relevance\": \"8/10\", \"Accuracy\": 4, \"Coherence\": 3, \"Clarity\": 2, \"Breadth and Depth\": 1,"
            + " \"Reading Experience\": 3}";
    String reason = failure(LONGBENCH, output);
    assertTrue(reason.contains("Relevance \"8/10\" is not on the 1-5 scale"), reason);
    String six = failure(LONGBENCH, output.replace("\"8/10\"", "6"));
    assertTrue(six.contains("Relevance 6 is outside 1-5"), six);
  }
}
