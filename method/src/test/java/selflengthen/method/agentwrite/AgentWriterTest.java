package selflengthen.method.agentwrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import selflengthen.method.LanguageProfile;

class AgentWriterTest {
  static final String INSTRUCTION = "Write a 900-word essay about rivers.";
  static final Plan PLAN = PlanParser.parse(
      "Paragraph 1 - Main Point: Sources - Word Count: 300 words\n"
          + "Paragraph 2 - Main Point: Cities - Word Count: 300 words\n"
          + "Paragraph 3 - Main Point: The sea - Word Count: 300 words");
  final AgentWriter writer = new AgentWriter(AgentWritePrompts.of(LanguageProfile.EN));

  @Test
  void writesEveryStepGivenTheTextSoFarAndCommitsEachParagraph() {
    ScriptedWriterModel model = new ScriptedWriterModel(i -> "  Paragraph text " + (i + 1) + ".\n");
    Map<Integer, String> store = new TreeMap<>();
    AgentWriter.Result r = writer.continueWriting(INSTRUCTION, PLAN, List.of(), model, store::put,
        () -> false);
    assertTrue(r.complete());
    assertEquals(3, r.calls());
    assertEquals(List.of("Paragraph text 1.", "Paragraph text 2.", "Paragraph text 3."),
        r.paragraphs());
    assertEquals("Paragraph text 1.\n\nParagraph text 2.\n\nParagraph text 3.", r.text());
    assertEquals(Map.of(0, "Paragraph text 1.", 1, "Paragraph text 2.", 2, "Paragraph text 3."),
        store);
    // each prompt carries the instruction, the whole plan, the text so far and its own step
    String first = model.prompts.get(0);
    assertTrue(first.contains(INSTRUCTION));
    assertTrue(first.contains(PLAN.text()));
    assertTrue(first.contains("(nothing yet)"));
    assertTrue(first.contains("write the next part of the text: Paragraph 1 - Main Point: Sources"));
    String third = model.prompts.get(2);
    assertTrue(third.contains("Paragraph text 1.\n\nParagraph text 2."));
    assertTrue(third.contains("text: Paragraph 3 - Main Point: The sea - Word Count: 300 words."));
  }

  @Test
  void aRetryContinuesAfterTheLastCommittedParagraph() {
    List<String> committed = new ArrayList<>();
    // the first run dies while writing step 2 (a worker lost)
    ScriptedWriterModel dying = new ScriptedWriterModel(i -> {
      if (i == 1) {
        throw new IllegalStateException("worker died");
      }
      return "P" + (i + 1);
    });
    assertThrows(IllegalStateException.class, () -> writer.continueWriting(INSTRUCTION, PLAN,
        List.of(), dying, (i, p) -> committed.add(p), () -> false));
    assertEquals(List.of("P1"), committed);

    ScriptedWriterModel model = new ScriptedWriterModel(i -> "P" + (i + 1));
    AgentWriter.Result r = writer.continueWriting(INSTRUCTION, PLAN, committed, model,
        (i, p) -> committed.add(p), () -> false);
    assertEquals(List.of(1, 2), model.steps, "only the steps after the committed one are written");
    assertTrue(model.prompts.get(0).contains("Text written so far:\n\nP1\n\n"));
    assertTrue(r.complete());
    assertEquals(List.of("P1", "P2", "P3"), r.paragraphs());
    assertEquals(List.of("P1", "P2", "P3"), committed);
  }

  @Test
  void anEmptyAnswerOrAStopEndsTheTextEarly() {
    ScriptedWriterModel model = new ScriptedWriterModel(i -> i == 1 ? "  " : "P" + (i + 1));
    AgentWriter.Result r = writer.continueWriting(INSTRUCTION, PLAN, List.of(), model, (i, p) -> { },
        () -> false);
    assertFalse(r.complete());
    assertEquals(List.of("P1"), r.paragraphs());
    assertEquals(2, r.calls());

    ScriptedWriterModel never = new ScriptedWriterModel(i -> "x");
    AgentWriter.Result stopped = writer.continueWriting(INSTRUCTION, PLAN, List.of("P1"), never,
        (i, p) -> { }, () -> true);
    assertFalse(stopped.complete());
    assertTrue(never.steps.isEmpty());

    AgentWriter.Result done = writer.continueWriting(INSTRUCTION, PLAN, List.of("a", "b", "c"),
        never, (i, p) -> { }, () -> false);
    assertTrue(done.complete());
    assertEquals(0, done.calls());
  }

  @Test
  void badPlansAreRefused() {
    ScriptedWriterModel model = new ScriptedWriterModel(i -> "x");
    assertThrows(IllegalArgumentException.class, () -> writer.continueWriting(INSTRUCTION,
        new Plan(List.of()), List.of(), model, (i, p) -> { }, () -> false));
    List<PlanStep> many = new ArrayList<>();
    for (int i = 1; i <= 51; i++) {
      many.add(new PlanStep(i, "point", 200, "Paragraph " + i));
    }
    assertThrows(IllegalArgumentException.class, () -> writer.continueWriting(INSTRUCTION,
        new Plan(many), List.of(), model, (i, p) -> { }, () -> false));
    assertThrows(IllegalArgumentException.class, () -> writer.continueWriting(INSTRUCTION, PLAN,
        List.of("a", "b", "c", "d"), model, (i, p) -> { }, () -> false));
  }

  @Test
  void promptsInBothLanguages() {
    AgentWritePrompts en = AgentWritePrompts.of(LanguageProfile.EN);
    String plan = en.plan(INSTRUCTION);
    assertTrue(plan.contains(INSTRUCTION));
    assertTrue(plan.contains("Paragraph 1 - Main Point:"));
    assertTrue(plan.contains("at least 200 and at most 1000 words"));
    // the plan prompt's own example lines parse as a plan
    assertEquals(2, PlanParser.parse(plan.substring(plan.indexOf("Paragraph 1"),
        plan.indexOf("\n...\n"))).steps().size());

    AgentWritePrompts zh = AgentWritePrompts.of(LanguageProfile.ZH);
    String zplan = zh.plan("写一篇关于长江的文章，3000字");
    assertTrue(zplan.contains("写一篇关于长江的文章，3000字"));
    assertTrue(zplan.contains("段落1 - 主要内容："));
    assertTrue(zplan.contains("每段不少于200字、不多于1000字"));
    Plan p = PlanParser.parse("段落1 - 主要内容：源头 - 字数：500字");
    String w = zh.write("写长江", p, "", p.steps().get(0));
    assertTrue(w.contains("（尚未开始）"));
    assertTrue(w.contains("接着写：段落1 - 主要内容：源头 - 字数：500字。"));
    assertThrows(IllegalArgumentException.class, () -> new AgentWritePrompts(LanguageProfile.EN,
        300, 200));
  }
}
