package selflengthen.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Windows and scores worked out by hand from the published LonGen rules. */
class LengthWindowTest {
  private static final double EPS = 1e-12;

  private static void assertWindow(LengthWindow window, double lower, double upper) {
    assertEquals(lower, window.lower(), EPS, "lower");
    assertEquals(upper, window.upper(), EPS, "upper");
  }

  @Test
  void aboutIsEightyToHundredTwentyPercent() {
    LengthWindow about = LengthWindow.of(ConstraintType.ABOUT, "大约2000字");
    assertWindow(about, 1600, 2400);
    assertEquals(2000, about.nominal(), EPS);
    assertEquals(1.0, about.score(2000), EPS); // inside
    assertEquals(1.0, about.score(1600), EPS); // lower edge
    assertEquals(1.0, about.score(2400), EPS); // upper edge
    assertEquals(0.5, about.score(1200), EPS); // below: 2*1200/1600 - 1
    assertEquals(0.0, about.score(400), EPS); // below, clamped: 2*400/1600 - 1 = -0.5
    assertEquals(0.5, about.score(3000), EPS); // above: 3 - 2*3000/2400
    assertEquals(0.0, about.score(3600), EPS); // above, exactly 0
    assertEquals(0.0, about.score(5000), EPS); // above, clamped
  }

  @Test
  void rangeIsItsBounds() {
    LengthWindow range = LengthWindow.of(ConstraintType.RANGE, "2000-3000 words");
    assertWindow(range, 2000, 3000);
    assertEquals(2500, range.nominal(), EPS);
    assertEquals(1.0, range.score(2500), EPS);
    assertEquals(0.5, range.score(1500), EPS); // 2*1500/2000 - 1
    assertEquals(0.8, range.score(3300), EPS); // 3 - 2*3300/3000
    assertEquals(0.0, range.score(0), EPS); // empty answer
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "2000-3000 | 2000 | 3000",
        "2000至3000 | 2000 | 3000",
        "2000到3000字 | 2000 | 3000",
        "2000~3000 | 2000 | 3000",
        "2000字至3000字 | 2000 | 3000",
        "两千至三千字 | 2000 | 3000",
        "2-4k words | 2000 | 4000",
        "2至4千字 | 2000 | 4000",
        "三千五百至一万字 | 3500 | 10000",
      })
  void rangeSpellings(String constraint, double lower, double upper) {
    assertWindow(LengthWindow.of(ConstraintType.RANGE, constraint), lower, upper);
  }

  @Test
  void aboveIsOneToOneAndAHalfTimes() {
    LengthWindow above = LengthWindow.of(ConstraintType.ABOVE, "大于2000字");
    assertWindow(above, 2000, 3000);
    assertEquals(1.0, above.score(2999), EPS);
    assertEquals(0.8, above.score(1800), EPS); // 2*1800/2000 - 1
    assertEquals(0.6, above.score(3600), EPS); // 3 - 2*3600/3000
  }

  @Test
  void belowIsHalfToOneTimes() {
    LengthWindow below = LengthWindow.of(ConstraintType.BELOW, "less than 4000 words");
    assertWindow(below, 2000, 4000);
    assertEquals(1.0, below.score(3000), EPS);
    assertEquals(0.5, below.score(1500), EPS); // 2*1500/2000 - 1
    assertEquals(0.0, below.score(1000), EPS); // 2*1000/2000 - 1 = 0
    assertEquals(0.5, below.score(5000), EPS); // 3 - 2*5000/4000
  }

  @Test
  void chineseNumeralConstraints() {
    assertWindow(LengthWindow.of(ConstraintType.ABOUT, "大约两千字"), 1600, 2400);
    assertWindow(LengthWindow.of(ConstraintType.ABOUT, "三千五百字左右"), 2800, 4200);
    assertWindow(LengthWindow.of(ConstraintType.BELOW, "不超过一万字"), 5000, 10000);
    assertWindow(LengthWindow.of(ConstraintType.ABOVE, "1万字以上"), 10000, 15000);
    // 两千 about: 1000 words is below a = 1600: 2*1000/1600 - 1 = 0.25
    assertEquals(0.25, LengthWindow.of(ConstraintType.ABOUT, "两千字").score(1000), EPS);
  }

  @Test
  void singleNumberTypesUseTheFirstNumber() {
    assertWindow(LengthWindow.of(ConstraintType.ABOUT, "about 3000 words (2000-4000)"), 2400, 3600);
  }

  @Test
  void badConstraintsSayWhy() {
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> LengthWindow.of(ConstraintType.ABOUT, "long"));
    assertTrue(none.getMessage().contains("no number"), none.getMessage());
    IllegalArgumentException one =
        assertThrows(IllegalArgumentException.class, () -> LengthWindow.of(ConstraintType.RANGE, "3000字"));
    assertTrue(one.getMessage().contains("two numbers"), one.getMessage());
    IllegalArgumentException reversed =
        assertThrows(IllegalArgumentException.class, () -> LengthWindow.of(ConstraintType.RANGE, "3000-2000"));
    assertTrue(reversed.getMessage().contains("above upper bound"), reversed.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LengthWindow.of(ConstraintType.BELOW, "0 words"));
  }
}
