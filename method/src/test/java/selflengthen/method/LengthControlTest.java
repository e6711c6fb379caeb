package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import selflengthen.method.LengthConstraint.Type;

class LengthControlTest {
  private final LengthControl en =
      new LengthControl(LanguageProfile.EN.defaultPrompts(), LengthControl.Settings.reference());

  // Draws: first the unit (< 0.2 -> 2000, else 1000), then the Chinese-numerals one (unused here),
  // then the type (about < 0.40 <= range < 0.65 <= above < 0.75 <= below).
  private LengthConstraint constraint(int words, double unitDraw, double typeDraw) {
    ScriptedRandom random = new ScriptedRandom(unitDraw, 0.9, typeDraw);
    LengthConstraint c = en.constraintFor(words, random);
    assertTrue(random.exhausted(), "exactly three draws");
    assertEquals(c, LengthControl.constraintFor(en.settings(), words, unitDraw, typeDraw));
    return c;
  }

  @Test
  void eachTypeQuotesANumberTheResponseMeets() {
    assertEquals(LengthConstraint.about(3000), constraint(3400, 0.5, 0.1));
    // Python's round(): halves go to the even multiple.
    assertEquals(LengthConstraint.about(4000), constraint(3500, 0.5, 0.1));
    assertEquals(LengthConstraint.about(2000), constraint(2500, 0.5, 0.1));
    assertEquals(LengthConstraint.about(4000), constraint(5000, 0.1, 0.1)); // round(2.5) = 2
    assertEquals(LengthConstraint.about(8000), constraint(7000, 0.1, 0.1)); // round(3.5) = 4
    assertEquals(LengthConstraint.range(3000, 3000, 4000), constraint(3400, 0.5, 0.5));
    assertEquals(LengthConstraint.above(3000), constraint(3400, 0.5, 0.7));
    assertEquals(LengthConstraint.below(4000), constraint(3400, 0.5, 0.9));
  }

  @Test
  void aFifthOfTheRowsRoundToTwiceTheUnit() {
    assertEquals(LengthConstraint.about(4000), constraint(3400, 0.1, 0.1)); // round(1.7) x 2000
    assertEquals(LengthConstraint.about(2000), constraint(2999, 0.1, 0.1));
    assertEquals(LengthConstraint.range(4000, 2000, 4000), constraint(3400, 0.1, 0.5));
    assertEquals(LengthConstraint.above(2000), constraint(3400, 0.1, 0.7));
    assertEquals(LengthConstraint.below(4000), constraint(3400, 0.1, 0.9));
    assertEquals(LengthConstraint.below(8000), constraint(7100, 0.1, 0.9));
  }

  @Test
  void aRangeCollapsesOnAMultipleAsInTheReferenceUnlessWidened() {
    assertEquals(LengthConstraint.range(5000, 5000, 5000), constraint(5000, 0.5, 0.5));
    assertEquals(LengthConstraint.range(8000, 7000, 8000), constraint(7999, 0.5, 0.5));
    // Exactly on a multiple, above/below quote the length itself.
    assertEquals(LengthConstraint.above(5000), constraint(5000, 0.5, 0.7));
    assertEquals(LengthConstraint.below(5000), constraint(5000, 0.5, 0.9));
    // Type boundaries are the reference's literals: 0.4, 0.65, 0.75.
    assertEquals(Type.RANGE, LengthControl.type(en.settings(), 0.4));
    assertEquals(Type.ABOVE, LengthControl.type(en.settings(), 0.65));
    assertEquals(Type.BELOW, LengthControl.type(en.settings(), 0.75));
    assertEquals(Type.ABOUT, LengthControl.type(en.settings(), Math.nextDown(0.4)));
    LengthControl.Settings widen =
        LengthControl.Settings.of(selflengthen.v1.LengthControl.newBuilder().setWidenEqualRange(true).build());
    assertEquals(LengthConstraint.range(5000, 5000, 6000), LengthControl.constraintFor(widen, 5000, 0.5, 0.5));
    assertEquals(LengthConstraint.range(2000, 2000, 3000), LengthControl.constraintFor(widen, 2000, 0.5, 0.5));
    assertEquals(LengthConstraint.range(6000, 6000, 8000), LengthControl.constraintFor(widen, 6000, 0.1, 0.5));
  }

  @Test
  void referenceTextsWriteEachTypeWithTheChineseSwapFixed() {
    assertEquals("around 3000 words", LengthConstraint.about(3000).referenceText(LanguageProfile.EN));
    assertEquals("2000-3000 words", LengthConstraint.range(3000, 2000, 3000).referenceText(LanguageProfile.EN));
    assertEquals("more than 2000 words", LengthConstraint.above(2000).referenceText(LanguageProfile.EN));
    assertEquals("less than 3000 words", LengthConstraint.below(3000).referenceText(LanguageProfile.EN));
    assertEquals("大约3000字", LengthConstraint.about(3000).referenceText(LanguageProfile.ZH));
    assertEquals("2000字至3000字", LengthConstraint.range(3000, 2000, 3000).referenceText(LanguageProfile.ZH));
    assertEquals("大于2000字", LengthConstraint.above(2000).referenceText(LanguageProfile.ZH));
    assertEquals("小于3000字", LengthConstraint.below(3000).referenceText(LanguageProfile.ZH));
  }

  @Test
  void keepsTwoToEightThousandWordsHalfOpen() {
    assertFalse(en.keeps(1999));
    assertTrue(en.keeps(2000));
    assertTrue(en.keeps(7999));
    assertFalse(en.keeps(8000));
    assertThrows(IllegalArgumentException.class, () -> en.constraintFor(8000, new SplittableRandom(1)));
    assertTrue(en.apply("q", "too short.", new ScriptedRandom()).isEmpty());
  }

  @Test
  void rewritesTheQueryWithTheProfilesSentence() {
    String response = "word ".repeat(3400).strip();
    LengthControl.Constrained row = en.apply("Write a history of tea.", response, new ScriptedRandom(0.5, 0.9, 0.1)).orElseThrow();
    assertEquals("Write a history of tea.\nPlease answer in about 3000 words.", row.constrainedQuery());
    assertEquals(3400, row.words());
    assertEquals("Write a history of tea.", row.query());

    LengthControl zh = new LengthControl(LanguageProfile.ZH.defaultPrompts(), LengthControl.Settings.reference());
    String zhResponse = "茶".repeat(3400);
    assertEquals("写一部茶的历史。\n请将篇幅控制在约3000字。",
        zh.apply("写一部茶的历史。", zhResponse, new ScriptedRandom(0.5, 0.9, 0.1)).orElseThrow().constrainedQuery());
    assertEquals("写一部茶的历史。\n请将篇幅控制在3000字至4000字之间。",
        zh.apply("写一部茶的历史。", zhResponse, new ScriptedRandom(0.5, 0.9, 0.5)).orElseThrow().constrainedQuery());
  }

  @Test
  void sharesMatchTheReferenceOnTenThousandRows() {
    SplittableRandom lengths = new SplittableRandom(99);
    SplittableRandom random = new SplittableRandom(1234);
    Map<Type, Integer> counts = new EnumMap<>(Type.class);
    int rows = 10_000;
    int ranges = 0;
    int wideRanges = 0;
    for (int i = 0; i < rows; i++) {
      int words = 2000 + lengths.nextInt(6000);
      LengthConstraint c = en.constraintFor(words, random);
      counts.merge(c.type(), 1, Integer::sum);
      switch (c.type()) {
        case ABOUT -> assertTrue(Math.abs(c.n() - words) <= 1000, c + " for " + words);
        case RANGE -> {
          assertTrue(c.lo() <= words && words <= c.hi(), c + " for " + words);
          ranges++;
          if (c.hi() - c.lo() == 2000) {
            wideRanges++;
          }
        }
        case ABOVE -> assertTrue(c.n() <= words, c + " for " + words);
        case BELOW -> assertTrue(c.n() >= words, c + " for " + words);
      }
      assertTrue(c.lo() >= 2000 && c.hi() <= 8000, c.toString());
    }
    // Standard error of a share near 0.4 over 10,000 rows is 0.005: allow 3 of them.
    assertEquals(0.40, counts.get(Type.ABOUT) / (double) rows, 0.015);
    assertEquals(0.25, counts.get(Type.RANGE) / (double) rows, 0.015);
    assertEquals(0.10, counts.get(Type.ABOVE) / (double) rows, 0.015);
    assertEquals(0.25, counts.get(Type.BELOW) / (double) rows, 0.015);
    // Ranges are 1000 wide with unit 1000 and 2000 wide with unit 2000 (20% of rows).
    assertEquals(0.20, wideRanges / (double) ranges, 0.04);
  }

  @Test
  void settingsComeFromTheSpecWithReferenceDefaults() {
    LengthControl.Settings s =
        LengthControl.Settings.of(
            selflengthen.v1.LengthControl.newBuilder().setMinWords(500).setShareAbove(0.5f).setRoundTo(100).build());
    assertEquals(500, s.minWords());
    assertEquals(8000, s.maxWords());
    assertEquals(0.5, s.shareAbove(), 1e-6);
    assertEquals(0.40, s.shareAbout(), 0.0);
    assertEquals(100, s.roundTo());
    assertEquals(0.2, s.shareCoarse(), 0.0);
    assertThrows(IllegalArgumentException.class, () -> new LengthControl.Settings(2000, 2000, 1, 0, 0, 0, 1000, 0));
    assertThrows(IllegalArgumentException.class, () -> new LengthControl.Settings(2000, 8000, 0, 0, 0, 0, 1000, 0));
  }
}
