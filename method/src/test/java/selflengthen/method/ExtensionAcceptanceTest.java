package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExtensionAcceptanceTest {
  private final ExtensionAcceptance rule =
      new ExtensionAcceptance(LanguageProfile.EN.defaultCheck(), LanguageProfile.EN, 1.2);

  @Test
  void aCandidateReplacesTheBestOnlyWhenItPassesAndIsLonger() {
    String best = "w1 w2 w3 w4 w5.";
    ExtensionAcceptance.Decision longer = rule.consider(best, "w1 w2 w3 w4 w5 w6.");
    assertTrue(longer.accepted());
    assertEquals(6, longer.candidateWords());
    assertEquals(5, longer.bestWords());
    assertFalse(rule.consider(best, "v1 v2 v3 v4 v5.").accepted(), "equal length");
    assertFalse(rule.consider(best, "v1 v2 v3 v4.").accepted(), "shorter");
    ExtensionAcceptance.Decision unfinished = rule.consider(best, "w1 w2 w3 w4 w5 w6 w7 and");
    assertFalse(unfinished.accepted());
    assertEquals(ResponseCheck.Verdict.NO_CLOSING_PUNCTUATION, unfinished.check().verdict());
  }

  @Test
  void anAttemptSucceedsOnlyAboveTheGrowthFactor() {
    String original = "a b c d e f g h i j."; // 10 words
    assertFalse(rule.succeeded(original, "1 2 3 4 5 6 7 8 9 10 11 12.")); // 12 = 1.2 x 10
    assertTrue(rule.succeeded(original, "1 2 3 4 5 6 7 8 9 10 11 12 13."));
    assertFalse(rule.succeeded(original, original));
  }

  @Test
  void anAttemptTracksTheBestAsTheCurrentText() {
    ExtensionAcceptance.Attempt attempt = rule.start("a b c d e f g h i j.");
    assertEquals("a b c d e f g h i j.", attempt.current());
    assertTrue(attempt.offer("1 2 3 4 5 6 7 8 9 10 11.").accepted());
    assertEquals("1 2 3 4 5 6 7 8 9 10 11.", attempt.current());
    assertFalse(attempt.succeeded());
    assertFalse(attempt.offer("1 2 3 4 5 6 7 8 9 10 11 12 13 14 no stop").accepted());
    assertEquals("1 2 3 4 5 6 7 8 9 10 11.", attempt.best());
    assertTrue(attempt.offer("1 2 3 4 5 6 7 8 9 10 11 12 13.").accepted());
    assertTrue(attempt.succeeded());
    assertEquals("a b c d e f g h i j.", attempt.original());
  }

  @Test
  void growthComesFromTheSpec() {
    ResponseCheck check = LanguageProfile.EN.defaultCheck();
    assertEquals(1.2, ExtensionAcceptance.of(check, LanguageProfile.EN, selflengthen.v1.Extension.getDefaultInstance()).minGrowth(), 0.0);
    ExtensionAcceptance doubling =
        ExtensionAcceptance.of(check, LanguageProfile.EN, selflengthen.v1.Extension.newBuilder().setMinGrowth(2f).build());
    assertFalse(doubling.succeeded("a b.", "a b c d."));
    assertTrue(doubling.succeeded("a b.", "a b c d e."));
  }

  @Test
  void rejectsANegativeGrowth() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ExtensionAcceptance(LanguageProfile.EN.defaultCheck(), LanguageProfile.EN, -1));
  }
}
