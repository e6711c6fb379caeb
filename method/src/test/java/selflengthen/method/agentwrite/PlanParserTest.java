package selflengthen.method.agentwrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanParserTest {
  @Test
  void theAskedForFormat() {
    Plan p = PlanParser.parse(
        "Paragraph 1 - Main Point: Introduce the river and its source in the mountains - Word"
            + " Count: 400 words\n\n"
            + "Paragraph 2 - Main Point: The cities along its banks, their trade and bridges -"
            + " Word Count: 1,000 words\n");
    assertEquals(2, p.steps().size());
    PlanStep a = p.steps().get(0);
    assertEquals(1, a.index());
    assertEquals("Introduce the river and its source in the mountains", a.mainPoint());
    assertEquals(400, a.words());
    assertTrue(a.line().startsWith("Paragraph 1 - Main Point: Introduce"));
    assertEquals("The cities along its banks, their trade and bridges", p.steps().get(1).mainPoint());
    assertEquals(1000, p.steps().get(1).words());
    assertEquals(1400, p.totalWords());
    assertEquals(a.line() + "\n" + p.steps().get(1).line(), p.text());
  }

  @Test
  void preambleMarkdownRangesAndAClosingRemarkAreTolerated() {
    Plan p = PlanParser.parse(
        "Here is the plan for your essay:\n"
            + "**Paragraph 1** - **Main Point:** Why sleep matters - **Word Count:** 300-500"
            + " words\n"
            + "- Paragraph 2: Main point: what happens in the brain during sleep (about 600"
            + " words)\n"
            + "3. How to sleep better — Word count: approximately 700\n"
            + "I hope this plan helps!");
    assertEquals(3, p.steps().size());
    assertEquals(List.of(1, 2, 3), p.steps().stream().map(PlanStep::index).toList());
    assertEquals("Why sleep matters", p.steps().get(0).mainPoint());
    assertEquals(400, p.steps().get(0).words(), "a range is taken at its middle");
    assertEquals("what happens in the brain during sleep", p.steps().get(1).mainPoint());
    assertEquals(600, p.steps().get(1).words());
    assertEquals("How to sleep better", p.steps().get(2).mainPoint());
    assertEquals(700, p.steps().get(2).words());
    assertTrue(!p.steps().get(0).line().contains("**"));
  }

  @Test
  void labelsOnLinesOfTheirOwn() {
    Plan p = PlanParser.parse(
        "Paragraph 1:\nMain Point: The history of tea\nWord Count: 500 words\n\n"
            + "Paragraph 2:\nMain Point: Tea today\nWord Count: 300 words");
    assertEquals(2, p.steps().size());
    assertEquals("The history of tea", p.steps().get(0).mainPoint());
    assertEquals(500, p.steps().get(0).words());
    assertEquals("Tea today", p.steps().get(1).mainPoint());
    assertEquals(300, p.steps().get(1).words());
  }

  @Test
  void chinesePlans() {
    Plan p = PlanParser.parse(
        "段落1 - 主要内容：介绍长江的发源地和流经的省份 - 字数：600字\n"
            + "段落2 - 主要内容：长江沿岸的城市与经济 - 字数：约800字\n");
    assertEquals(2, p.steps().size());
    assertEquals("介绍长江的发源地和流经的省份", p.steps().get(0).mainPoint());
    assertEquals(600, p.steps().get(0).words());
    assertEquals(800, p.steps().get(1).words());

    Plan q = PlanParser.parse("第一段：春天的景色（300字）\n第二段：夏天的雨，400字\n第十二段：结尾 200字");
    assertEquals(List.of(1, 2, 12), q.steps().stream().map(PlanStep::index).toList());
    assertEquals("春天的景色", q.steps().get(0).mainPoint());
    assertEquals(300, q.steps().get(0).words());
    assertEquals("夏天的雨", q.steps().get(1).mainPoint());
    assertEquals(400, q.steps().get(1).words());
    assertEquals(200, q.steps().get(2).words());
  }

  @Test
  void withoutMarkersEveryLineIsAStepAsTheReferenceSplitsPlans() {
    Plan p = PlanParser.parse("Open with a storm. 300 words\nEnd with calm weather.\n");
    assertEquals(2, p.steps().size());
    assertEquals(300, p.steps().get(0).words());
    assertEquals("Open with a storm.", p.steps().get(0).mainPoint());
    assertEquals(0, p.steps().get(1).words(), "no budget given");
    assertEquals(2, p.steps().get(1).index());
  }

  @Test
  void emptyAnswersGiveAnEmptyPlan() {
    assertTrue(PlanParser.parse("").isEmpty());
    assertTrue(PlanParser.parse("\n  \n").isEmpty());
  }

  @Test
  void chineseNumerals() {
    assertEquals(1, PlanParser.chineseNumber("一"));
    assertEquals(2, PlanParser.chineseNumber("两"));
    assertEquals(10, PlanParser.chineseNumber("十"));
    assertEquals(15, PlanParser.chineseNumber("十五"));
    assertEquals(40, PlanParser.chineseNumber("四十"));
    assertEquals(99, PlanParser.chineseNumber("九十九"));
    assertEquals(7, PlanParser.chineseNumber("7"));
  }
}
