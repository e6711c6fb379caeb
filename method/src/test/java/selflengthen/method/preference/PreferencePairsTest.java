package selflengthen.method.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import selflengthen.method.LanguageProfile;
import selflengthen.model.api.PreferenceExample;

class PreferencePairsTest {
  static final LanguageProfile EN = LanguageProfile.EN;

  static final ExtensionTrace TRACE = new ExtensionTrace(7, 1, "Write about rivers in 600 words.",
      "Rivers flow.",
      "Rivers flow from the hills to the sea, carving valleys as they go.",
      List.of("Rivers flow to the sea.", "Rivers flow from the hills to the sea, slowly.",
          "Rivers flow."),
      List.of("Revised version: rivers flow from hills to the sea and on and on and on",
          "Rivers", "", "Rivers"));

  @Test
  void byDefaultAnAttemptGivesTheAcceptedOverTheOriginal() {
    List<PreferencePair> pairs = PreferencePairs.fromExtension(TRACE, PreferenceOptions.defaults(),
        EN);
    assertEquals(1, pairs.size());
    PreferencePair p = pairs.get(0);
    assertEquals(PairKind.EXTENSION, p.pairKind());
    assertEquals("Write about rivers in 600 words.", p.prompt());
    assertEquals(TRACE.accepted(), p.chosen());
    assertEquals("Rivers flow.", p.rejected());
    assertNull(p.rejectedPrompt());
    assertEquals(7, p.row());
    assertEquals(1, p.attempt());
    assertEquals(13, p.chosenWords());
    assertEquals(2, p.rejectedWords());
  }

  @Test
  void optionsAddCheckRejectedCandidatesAndShorterStepsLongestFirst() {
    PreferenceOptions all = PreferenceOptions.defaults().withCheckRejected(true)
        .withShorterSteps(true);
    List<PreferencePair> pairs = PreferencePairs.fromExtension(TRACE, all, EN);
    assertEquals(List.of(PairKind.EXTENSION, PairKind.CHECK_REJECTED, PairKind.CHECK_REJECTED,
        PairKind.SHORTER_STEP, PairKind.SHORTER_STEP),
        pairs.stream().map(PreferencePair::pairKind).toList());
    // refused candidates: distinct, non-blank, longest first
    assertTrue(pairs.get(1).rejected().startsWith("Revised version"));
    assertEquals("Rivers", pairs.get(2).rejected());
    // shorter steps: the original response is not repeated, longest first
    assertEquals("Rivers flow from the hills to the sea, slowly.", pairs.get(3).rejected());
    assertEquals("Rivers flow to the sea.", pairs.get(4).rejected());
    pairs.forEach(p -> assertEquals(TRACE.accepted(), p.chosen()));

    PreferenceOptions one = new PreferenceOptions(true, true, false, 1);
    assertEquals(3, PreferencePairs.fromExtension(TRACE, one, EN).size());
  }

  @Test
  void anAttemptRecordsTheTextsTheOptionalPairsNeed() {
    selflengthen.method.ExtensionAcceptance rule = new selflengthen.method.ExtensionAcceptance(
        EN.defaultCheck(), EN, 1.2);
    selflengthen.method.ExtensionAcceptance.Attempt a = rule.start("a b c d e f g h i j.");
    a.offer("1 2 3 4 5 6 7 8 9 10 11.");
    a.offer("1 2 3 4 5 6 7 8 9 10 11 12 13 14 no stop");
    a.offer("1 2 3.");
    a.offer("1 2 3 4 5 6 7 8 9 10 11 12 13.");
    ExtensionTrace t = ExtensionTrace.of(a, 4, 1, "Write.");
    assertEquals("a b c d e f g h i j.", t.original());
    assertEquals("1 2 3 4 5 6 7 8 9 10 11 12 13.", t.accepted());
    assertEquals(List.of("1 2 3 4 5 6 7 8 9 10 11."), t.steps());
    assertEquals(List.of("1 2 3 4 5 6 7 8 9 10 11 12 13 14 no stop"), t.checkRejected(),
        "a shorter candidate that passes the check is not a check rejection");
    List<PreferencePair> pairs = PreferencePairs.fromExtension(t, PreferenceOptions.defaults()
        .withCheckRejected(true).withShorterSteps(true), EN);
    assertEquals(List.of(PairKind.EXTENSION, PairKind.CHECK_REJECTED, PairKind.SHORTER_STEP),
        pairs.stream().map(PreferencePair::pairKind).toList());
  }

  @Test
  void anExtensionRowWithoutGrowthGivesNoPair() {
    ExtensionTrace same = ExtensionTrace.of(0, 0, "q", "same text here", "same text here");
    assertTrue(PreferencePairs.fromExtension(same, PreferenceOptions.defaults(), EN).isEmpty());
  }

  @Test
  void suriPairsKeepTheResponseAndCorruptTheInstruction() {
    Optional<PreferencePair> p = PreferencePairs.corrupted(TRACE, "Write about rivers in 60 words.",
        EN);
    assertTrue(p.isPresent());
    assertEquals(PairKind.CORRUPTED_INSTRUCTION, p.get().pairKind());
    assertEquals(TRACE.accepted(), p.get().chosen());
    assertEquals(TRACE.accepted(), p.get().rejected());
    assertEquals("Write about rivers in 60 words.", p.get().rejectedPrompt());
    assertTrue(p.get().promptDiffers());
    assertFalse(PreferencePairs.corrupted(TRACE, TRACE.instruction(), EN).isPresent());
  }

  @Test
  void aRoundsPairsAreSeededAndUseTheCorruptionsOfItsInstructions() {
    List<ExtensionTrace> traces = List.of(
        TRACE,
        ExtensionTrace.of(8, 0, "Describe a storm.", "It rained.",
            "It rained all night, and the wind bent the trees to the ground."),
        ExtensionTrace.of(9, 0, "Tell a tale of a fox.", "A fox ran.",
            "A fox ran through the snow, looking for the den it had lost in the autumn."));
    PreferenceOptions suri = PreferenceOptions.defaults().withCorruptedInstruction(true);
    List<PreferencePair> a = PreferencePairs.fromExtensions(traces, suri, EN, 42);
    assertEquals(a, PreferencePairs.fromExtensions(traces, suri, EN, 42));
    assertEquals(6, a.size());
    assertEquals("Write about rivers in 60 words.", a.get(1).rejectedPrompt(),
        "a length requirement shrinks");
    String swapped = a.get(3).rejectedPrompt();
    assertTrue(swapped.equals(TRACE.instruction()) || swapped.equals("Tell a tale of a fox."),
        "an instruction without a number is swapped with another: " + swapped);

    List<PreferenceExample> examples = PreferencePairs.toExamples(a);
    assertEquals(new PreferenceExample(TRACE.instruction(), "", TRACE.accepted(), "Rivers flow."),
        examples.get(0));
    assertEquals("Write about rivers in 60 words.", examples.get(1).rejectedInstruction());
  }

  @Test
  void lengthRequirementsShrinkInEnglishAndChinese() {
    assertEquals(Optional.of("Write a story of 200 words in 3 paragraphs."),
        InstructionCorruption.shrinkLength("Write a story of 2,000 words in 30 paragraphs."));
    assertEquals(Optional.of("Write 50-80 words."),
        InstructionCorruption.shrinkLength("Write 500-800 words."));
    assertEquals(Optional.of("Write between 100 to 150 Words."),
        InstructionCorruption.shrinkLength("Write between 1000 to 1500 Words."));
    assertEquals(Optional.of("写一篇80字的文章"), InstructionCorruption.shrinkLength("写一篇800字的文章"));
    assertEquals(Optional.of("写一篇约 300 个字，分 1 段"),
        InstructionCorruption.shrinkLength("写一篇约 3000 个字，分 5 段"));
    assertEquals(Optional.empty(), InstructionCorruption.shrinkLength("Write a long story."));
    assertEquals(Optional.empty(), InstructionCorruption.shrinkLength("Write 1 paragraph."));
    assertEquals(Optional.empty(), InstructionCorruption.shrinkLength("In 1990 a war ended."));
  }

  @Test
  void swapNeverReturnsTheSameText() {
    List<String> ins = List.of("a", "a", "b");
    for (int seed = 0; seed < 20; seed++) {
      assertEquals(Optional.of("b"), InstructionCorruption.swap(ins, 0, new SplittableRandom(seed)));
    }
    assertEquals(Optional.empty(), InstructionCorruption.swap(List.of("a", "a"), 1,
        new SplittableRandom(1)));
  }
}
