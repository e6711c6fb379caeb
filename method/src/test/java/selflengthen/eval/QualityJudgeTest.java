package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.SamplingParams;
import selflengthen.v1.QualitySummary;
import selflengthen.v1.ScoreGroup;

class QualityJudgeTest {
  private static final double EPS = 1e-9;
  private static final QualityJudge.Settings SETTINGS =
      new QualityJudge.Settings(3, new SamplingParams(0.5f, 0, 1f, 1f, 40L), 512, "judge-adapter");

  private static String seven(int relevance, int coherence, int accuracy, int consistency, int clarity,
      int creativity, int engagement) {
    return String.format(
        "{\"Analysis\": \"a\", \"Relevance\": %d, \"Coherence\": %d, \"Accuracy\": %d, \"Consistency\": %d,"
            + " \"Clarity\": %d, \"Creativity\": %d, \"Engagement\": %d}",
        relevance, coherence, accuracy, consistency, clarity, creativity, engagement);
  }

  @Test
  void retriesUnreadableOutputThenScores() {
    ScriptedLanguageModel model =
        new ScriptedLanguageModel("I think it is quite good.", "```json\n" + seven(8, 7, 6, 9, 8, 5, 7) + "\n```");
    QualityJudge judge = new QualityJudge(model, JudgeRubric.SELF_LENGTHEN, SETTINGS);

    QualityJudge.Verdict verdict = judge.judge("Write about tides.", "Tides rise and fall.");

    QualityJudge.Scored scored = assertInstanceOf(QualityJudge.Scored.class, verdict);
    assertEquals(2, scored.attempts());
    assertEquals(8.0, scored.scores().get("Relevance"));
    assertEquals(5.0, scored.scores().get("Creativity"));
    assertEquals(2, model.requests.size());
    // A new draw per attempt, same settings otherwise.
    assertEquals(40L, model.requests.get(0).sampling().seed());
    assertEquals(41L, model.requests.get(1).sampling().seed());
    assertEquals(512, model.requests.get(0).maxNewTokens());
    assertEquals("judge-adapter", model.requests.get(0).adapter());
    String prompt = model.requests.get(0).prompt();
    assertTrue(prompt.startsWith("<user>You are reviewing"), prompt);
    assertTrue(prompt.contains("[Request]\nWrite about tides.\n[End of request]"), prompt);
    assertTrue(prompt.contains("[Answer]\nTides rise and fall.\n[End of answer]"), prompt);
    assertTrue(prompt.endsWith("<assistant>"), prompt);
  }

  @Test
  void recordsAFailureAfterTheLastAttemptWithoutThrowing() {
    ScriptedLanguageModel model =
        new ScriptedLanguageModel(
            "no idea",
            "{\"Relevance\": 8}",
            seven(8, 7, 6, 9, 8, 5, 7).replace("\"Engagement\": 7", "\"Engagement\": 12"),
            "never asked");
    QualityJudge judge = new QualityJudge(model, JudgeRubric.SELF_LENGTHEN, SETTINGS);

    QualityJudge.Failed failed =
        assertInstanceOf(QualityJudge.Failed.class, judge.judge("q", "r"));

    assertEquals(3, failed.attempts());
    assertEquals(3, model.requests.size());
    assertTrue(failed.reason().contains("Engagement 12 is outside 1-10"), failed.reason());
    assertTrue(failed.lastOutput().contains("\"Engagement\": 12"));
  }

  @Test
  void notesWhenTheJudgeRanOutOfTokens() {
    ScriptedLanguageModel model =
        new ScriptedLanguageModel("{\"Analysis\": \"very long", "{\"Analysis\": \"again")
            .finishingWith(FinishReason.LENGTH);
    QualityJudge judge =
        new QualityJudge(
            model, JudgeRubric.SELF_LENGTHEN, new QualityJudge.Settings(2, SamplingParams.greedy(), 64, null));
    QualityJudge.Failed failed = assertInstanceOf(QualityJudge.Failed.class, judge.judge("q", "r"));
    assertTrue(failed.reason().endsWith("(output cut at 64 new tokens)"), failed.reason());
  }

  @Test
  void modelFaultsAreNotJudgeOutputAndPropagate() {
    ScriptedLanguageModel empty = new ScriptedLanguageModel();
    QualityJudge judge = new QualityJudge(empty, JudgeRubric.SELF_LENGTHEN, SETTINGS);
    assertThrows(IllegalStateException.class, () -> judge.judge("q", "r"));
  }

  @Test
  void promptSubstitutionIsOnePass() {
    String prompt = JudgeRubric.SELF_LENGTHEN.prompt("costs $5 {{response}}", "answer \\1 $2");
    assertTrue(prompt.contains("[Request]\ncosts $5 {{response}}\n[End of request]"), prompt);
    assertTrue(prompt.contains("[Answer]\nanswer \\1 $2\n[End of answer]"), prompt);
    assertTrue(!prompt.contains("{{query}}"), prompt);
    String lbw = JudgeRubric.LONGBENCH_WRITE.prompt("Q", "R");
    for (String dimension : JudgeRubric.LONGBENCH_WRITE.dimensions()) {
      assertTrue(lbw.contains("\"" + dimension + "\": <1-5>"), dimension);
    }
    for (String dimension : JudgeRubric.SELF_LENGTHEN.dimensions()) {
      assertTrue(prompt.toLowerCase().contains("\"" + dimension.toLowerCase() + "\": <1-10>"), dimension);
    }
  }

  @Test
  void perDimensionMeansSkipFailures() {
    ScriptedLanguageModel model =
        new ScriptedLanguageModel(
            seven(8, 7, 6, 9, 8, 5, 7), seven(6, 7, 8, 9, 10, 3, 5), "x", "y", "z");
    QualityJudge judge = new QualityJudge(model, JudgeRubric.SELF_LENGTHEN, SETTINGS);
    List<QualityJudge.Verdict> verdicts =
        List.of(judge.judge("q1", "r1"), judge.judge("q2", "r2"), judge.judge("q3", "r3"));

    QualitySummary summary = QualityMeans.summarize(JudgeRubric.SELF_LENGTHEN, verdicts);

    assertEquals(2, summary.getScored());
    assertEquals(1, summary.getFailed());
    Map<String, Double> means = new LinkedHashMap<>();
    for (ScoreGroup group : summary.getByDimensionList()) {
      means.put(group.getKey(), group.getMean());
    }
    assertEquals(
        Map.of("Relevance", 7.0, "Coherence", 7.0, "Accuracy", 7.0, "Consistency", 9.0,
            "Clarity", 9.0, "Creativity", 4.0, "Engagement", 6.0),
        means);
    assertEquals(49.0 / 7, summary.getOverall(), EPS);
    assertEquals(0, summary.getLongbenchWriteSq(), EPS);
  }

  @Test
  void longBenchWriteQualityMapsOneToFiveOntoZeroToHundred() {
    assertEquals(0, LongBenchWriteQuality.toHundred(1), EPS);
    assertEquals(100, LongBenchWriteQuality.toHundred(5), EPS);
    Map<String, Double> ratings =
        Map.of("Relevance", 5.0, "Accuracy", 4.0, "Coherence", 3.0, "Clarity", 2.0,
            "Breadth and Depth", 1.0, "Reading Experience", 3.0);
    // (100 + 75 + 50 + 25 + 0 + 50) / 6
    assertEquals(50, LongBenchWriteQuality.sq(ratings), EPS);
    assertThrows(IllegalArgumentException.class, () -> LongBenchWriteQuality.sq(Map.of("Relevance", 5.0)));

    ScriptedLanguageModel model =
        new ScriptedLanguageModel(
            "{\"Relevance\": 5, \"Accuracy\": 4, \"Coherence\": 3, \"Clarity\": 2, \"Breadth and Depth\": 1,"
                + " \"Reading Experience\": 3}",
            "{\"Relevance\": 3, \"Accuracy\": 4, \"Coherence\": 5, \"Clarity\": 4, \"Breadth and Depth\": 3,"
                + " \"Reading Experience\": 5}");
    QualityJudge judge = new QualityJudge(model, JudgeRubric.LONGBENCH_WRITE, SETTINGS);
    QualitySummary summary =
        QualityMeans.summarize(
            JudgeRubric.LONGBENCH_WRITE, List.of(judge.judge("q", "r"), judge.judge("q", "r")));
    // means 4, 4, 4, 3, 2, 4 -> 75, 75, 75, 50, 25, 75 -> 375 / 6
    assertEquals(62.5, summary.getLongbenchWriteSq(), EPS);
    assertEquals(21.0 / 6, summary.getOverall(), EPS);
  }
}
