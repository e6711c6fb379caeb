package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reference's readings of a self-instruct completion and of the judge's answer. */
class ReferenceSelfInstructTest {
  @Test
  void theCandidateIsTheWholeStrippedCompletion() {
    assertEquals(Optional.of("Write a history of tea.\n\nCover trade routes."),
        InstructionCandidates.referenceCandidate("  Write a history of tea.\n\nCover trade routes.\n"));
    assertEquals(Optional.of("\"Quoted\" **bold**"), InstructionCandidates.referenceCandidate(" \"Quoted\" **bold** "));
    assertEquals(Optional.empty(), InstructionCandidates.referenceCandidate(" \n\t "));
    assertEquals(Optional.empty(), InstructionCandidates.referenceCandidate(null));
    // Python's strip() also removes NBSP-like separators and the file/group separators.
    assertEquals(Optional.of("x"), InstructionCandidates.referenceCandidate("\u00a0\u3000x\u001c\u0085"));
  }

  @Test
  void theJudgeMustSayExactlyYes() {
    LanguageProfile en = LanguageProfile.EN;
    assertTrue(InstructionCandidates.exactYes("yes", en));
    assertTrue(InstructionCandidates.exactYes(" Yes\n", en));
    assertTrue(InstructionCandidates.exactYes("YES", en));
    assertFalse(InstructionCandidates.exactYes("Yes.", en));
    assertFalse(InstructionCandidates.exactYes("Yes, it is.", en));
    assertFalse(InstructionCandidates.exactYes("**Yes**", en));
    assertFalse(InstructionCandidates.exactYes("no", en));
    assertFalse(InstructionCandidates.exactYes("是", en));

    LanguageProfile zh = LanguageProfile.ZH;
    assertTrue(InstructionCandidates.exactYes("是", zh));
    assertTrue(InstructionCandidates.exactYes("\n是 ", zh));
    assertFalse(InstructionCandidates.exactYes("是的", zh));
    assertFalse(InstructionCandidates.exactYes("是。", zh));
    assertFalse(InstructionCandidates.exactYes("yes", zh), "the qwen variant compares with '是' only");
    assertFalse(InstructionCandidates.exactYes("否", zh));
  }
}
