package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ParagraphsTest {

  @Test
  void splitsOnBlankLinesWhenThatGivesMoreThanTwoParts() {
    String text = "A1\nA2\n\nB\n \t\nC\n\n\n\n  D indented\n";
    assertEquals(List.of("A1\nA2", "B", "C", "  D indented"), Paragraphs.split(text));
  }

  @Test
  void fallsBackToSingleNewlinesWhenBlankLinesGiveTwoOrFewer() {
    // Two blank-line parts -> split on lines instead (blank ones dropped).
    assertEquals(List.of("A1", "A2", "B1", "B2"), Paragraphs.split("A1\nA2\n\nB1\nB2"));
    // One part.
    assertEquals(List.of("a", "b", "c"), Paragraphs.split("a\nb\r\nc"));
    // Three parts: no fallback.
    assertEquals(List.of("a\nx", "b", "c"), Paragraphs.split("a\nx\n\nb\n\nc"));
    assertEquals(List.of(), Paragraphs.split(" \n\n "));
    assertEquals(List.of("single"), Paragraphs.split("single"));
  }

  @Test
  void joinPutsOneBlankLineBetweenParts() {
    assertEquals("a\n\nb\n\nc", Paragraphs.join(List.of("a", "b", "c")));
    // Single-newline paragraphs come back separated by blank lines, as in the reference.
    assertEquals("a\n\nb\n\nc", Paragraphs.join(Paragraphs.split("a\nb\nc")));
  }

  @Test
  void formerIsTheFirstHalfRoundedDownButAtLeastOne() {
    assertEquals("p1", Paragraphs.former("p1"));
    assertEquals("p1", Paragraphs.former("p1\np2"));
    assertEquals("p1", Paragraphs.former("p1\n\np2\n\np3"));
    assertEquals("p1\n\np2", Paragraphs.former("p1\n\np2\n\np3\n\np4"));
    assertEquals("p1\n\np2", Paragraphs.former("p1\n\np2\n\np3\n\np4\n\np5"));
    assertEquals("p1\n\np2\n\np3", Paragraphs.former("p1\n\np2\n\np3\n\np4\n\np5\n\np6"));
    assertEquals("", Paragraphs.former(""));
  }

  @Test
  void prefixKeepsTwoThirdsOfTheParagraphsRoundedDownButAtLeastOne() {
    double twoThirds = 2.0 / 3.0;
    assertEquals(1, count(Paragraphs.prefix(paragraphs(1), twoThirds)));
    assertEquals(1, count(Paragraphs.prefix(paragraphs(2), twoThirds)));
    assertEquals(2, count(Paragraphs.prefix(paragraphs(3), twoThirds)));
    assertEquals(2, count(Paragraphs.prefix(paragraphs(4), twoThirds)));
    assertEquals(3, count(Paragraphs.prefix(paragraphs(5), twoThirds)));
    assertEquals(4, count(Paragraphs.prefix(paragraphs(6), twoThirds)));
    assertEquals(6, count(Paragraphs.prefix(paragraphs(9), twoThirds)));
    // Float 2/3 on either side of the exact value gives the same cut.
    assertEquals(4, count(Paragraphs.prefix(paragraphs(6), 0.6666666f)));
    assertEquals(4, count(Paragraphs.prefix(paragraphs(6), 0.6666667f)));
    assertEquals("p1\n\np2", Paragraphs.prefix(paragraphs(3), twoThirds));
    assertEquals(10, count(Paragraphs.prefix(paragraphs(10), 1.0)));
    assertEquals(1, count(Paragraphs.prefix(paragraphs(10), 0.01)));
    assertThrows(IllegalArgumentException.class, () -> Paragraphs.prefix("a", 0));
    assertThrows(IllegalArgumentException.class, () -> Paragraphs.prefix("a", 1.5));
  }

  private static String paragraphs(int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      if (i > 1) {
        sb.append("\n\n");
      }
      sb.append("p").append(i);
    }
    return sb.toString();
  }

  private static int count(String joined) {
    return joined.split("\n\n").length;
  }

  /** Expected values computed by the reference's own lines (step2_ext_responses.py:18-27) in Python. */
  @Test
  void referenceCutsAgreeWithThePythonOfStep2() {
    String[][] cases = {
      {"Intro\n\n- a\n- b\n- c", "Intro\n\n", "Intro"},
      {"one line", "", ""},
      {"", "", ""},
      {"a\nb", "a", ""},
      {"p1\n\np2\n\np3\n\np4\n\np5", "p1\n\np2", "p1\n\np2\n\np3"},
      {"A\nB\n\nC", "A\n\nB", "A\nB"},
      {"x\n\n\ny\n\nz\n\nw", "x\n\n\ny", "x\n\n\ny"},
      {"\n\nlead\n\nmid\n\nend\n\n", "\n\nlead", "\n\nlead\n\nmid"},
      {"a \n \nb\n\nc", "a \n\n ", "a \n \nb"},
    };
    for (String[] c : cases) {
      assertEquals(c[1], Paragraphs.referenceFormer(c[0]), "former of " + c[0]);
      assertEquals(c[2], Paragraphs.referencePrefix(c[0], 2.0 / 3.0), "prefix of " + c[0]);
      assertEquals(c[2], Paragraphs.referencePrefix(c[0], 2f / 3f), "prefix (float 2/3) of " + c[0]);
    }
    assertThrows(IllegalArgumentException.class, () -> Paragraphs.referencePrefix("a", 0));
  }
}
