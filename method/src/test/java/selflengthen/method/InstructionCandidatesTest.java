package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import selflengthen.method.InstructionCandidates.JudgeAnswer;

class InstructionCandidatesTest {

  private static String parsed(String completion) {
    return InstructionCandidates.parse(completion).orElse(null);
  }

  @Test
  void takesTheTextAfterTheForcedPrefixUpToTheFirstBlankLine() {
    assertEquals(
        "Write a 3000-word history of the printing press.",
        parsed(" Write a 3000-word history of the printing press.\n\nInstruction 4: Write a poem."));
    assertEquals(
        "Write a guide to sourdough.\nCover starters, flours and baking schedules.",
        parsed("Write a guide to sourdough.\nCover starters, flours and baking schedules.\n\nThat is all."));
  }

  @Test
  void stripsNumberingAndLabels() {
    assertEquals("Write an essay on tides.", parsed("3. Write an essay on tides."));
    assertEquals("写一篇关于长江的散文。", parsed("3、写一篇关于长江的散文。"));
    assertEquals("Write an essay on tides.", parsed("Instruction 3: Write an essay on tides."));
    assertEquals("Write an essay on tides.", parsed("**Instruction 3:** Write an essay on tides."));
    assertEquals("写一篇关于长江的散文。", parsed("指令3：写一篇关于长江的散文。"));
    assertEquals("Write an essay on tides.", parsed("(3) Write an essay on tides."));
    // "3.5" is a number, not a label.
    assertEquals("3.5 million people live here: write their story.", parsed("3.5 million people live here: write their story."));
  }

  @Test
  void stopsAtTheNextItemOfAList() {
    assertEquals("Write an essay on tides.", parsed("3. Write an essay on tides.\n4. Write a poem on rain."));
    assertEquals("Write an essay on tides.", parsed("Write an essay on tides.\nInstruction 4: Write a poem."));
    assertEquals("写一篇关于长江的散文。", parsed("写一篇关于长江的散文。\n指令4：写一首诗。"));
    assertEquals("Write an essay on tides.", parsed("Write an essay on tides.\n---\nNotes: none"));
    // A numbered list of requirements inside an unnumbered instruction stays.
    assertEquals(
        "Write a report that covers:\n1. the causes\n2. the effects",
        parsed("Write a report that covers:\n1. the causes\n2. the effects\n\nInstruction 4: ..."));
  }

  @Test
  void stripsQuotesAndEmphasis() {
    assertEquals("Write an essay on tides.", parsed("\"Write an essay on tides.\""));
    assertEquals("写一篇关于长江的散文。", parsed("“写一篇关于长江的散文。”"));
    assertEquals("Write an essay on tides.", parsed("**Write an essay on tides.**"));
    assertEquals("Write an essay on tides.", parsed("\"Write an essay on tides."));
    assertEquals("Explain the 'tragedy of the commons'", parsed("Explain the 'tragedy of the commons'"));
    assertEquals("x", parsed("  \n\n Instruction 4:\n\nx"));
    assertEquals(Optional.empty(), InstructionCandidates.parse("  \n\n  "));
    assertEquals(Optional.empty(), InstructionCandidates.parse("**Instruction 4:**"));
    assertEquals(Optional.empty(), InstructionCandidates.parse("\"\""));
    assertEquals(Optional.empty(), InstructionCandidates.parse(null));
  }

  @Test
  void wordWindowIsExclusiveOnBothEnds() {
    InstructionCandidates window = InstructionCandidates.reference(LanguageProfile.EN);
    assertFalse(window.withinWindow("one two three"));
    assertTrue(window.withinWindow("one two three four"));
    assertTrue(window.withinWindow("w ".repeat(499)));
    assertFalse(window.withinWindow("w ".repeat(500)));
    // Chinese characters count one each: 4 characters pass, 3 do not.
    assertTrue(window.withinWindow("写一篇文"));
    assertFalse(window.withinWindow("写一篇"));
    InstructionCandidates custom =
        InstructionCandidates.of(
            LanguageProfile.EN, selflengthen.v1.SelfInstruct.newBuilder().setMinWords(1).setMaxWords(3).build());
    assertTrue(custom.withinWindow("two words"));
    assertFalse(custom.withinWindow("three words here"));
    assertThrows(IllegalArgumentException.class, () -> new InstructionCandidates(LanguageProfile.EN, 3, 4));
  }

  @Test
  void judgeAnswersAreReadRobustly() {
    for (String yes : new String[] {"Yes", "Yes.", "yes, because it asks for a novel", "**Yes**", "YES!",
        "Answer: yes", "\"Yes\"", "是", "是的", "是。", "适合", "  是，这条指令适合长文。", "【是】", "y"}) {
      assertEquals(JudgeAnswer.YES, InstructionCandidates.parseJudge(yes), yes);
    }
    for (String no : new String[] {"No", "No.", "**No**", "no, it is a short question", "Not really.",
        "NO", "否", "不是", "不适合", "不。", "答案：否", "False"}) {
      assertEquals(JudgeAnswer.NO, InstructionCandidates.parseJudge(no), no);
    }
    for (String unclear : new String[] {"", "   ", "Maybe", "It depends.", "Nobody knows", "Yesterday", "嗯"}) {
      assertEquals(JudgeAnswer.UNCLEAR, InstructionCandidates.parseJudge(unclear), unclear);
    }
    assertEquals(JudgeAnswer.UNCLEAR, InstructionCandidates.parseJudge(null));
  }
}
