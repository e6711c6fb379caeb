package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PyTextTest {
  @Test
  void rstripAndSplitUsePythonsWhitespace() {
    assertEquals("a b", PyText.rstrip("a b \u00A0\u3000\u0085\n"));
    assertEquals("a\u200B", PyText.rstrip("a\u200B"), "U+200B is not whitespace in Python");
    assertEquals("x", PyText.strip("\u2028 x\u2029"));
    assertEquals(List.of("a", "b", "c"), PyText.split("\u00A0a\u2007b\u001Fc "));
    assertEquals(List.of(), PyText.split(" \t\n"));
    assertEquals(3, PyText.countSplit("\u00A0a\u2007b\u001Fc "));
    assertEquals(0, PyText.countSplit(""));
  }

  @Test
  void lenCountsCodePoints() {
    assertEquals(2, PyText.len("\uD83D\uDE00a"));
    assertEquals(0, PyText.len(""));
  }

  @Test
  void wordCharactersAreLettersNumbersAndUnderscore() {
    assertTrue(PyText.isWordChar('_'));
    assertTrue(PyText.isWordChar('é'));
    assertTrue(PyText.isWordChar('中'));
    assertTrue(PyText.isWordChar('\u00B2'));
    assertTrue(PyText.isWordChar(0x20000));
    assertFalse(PyText.isWordChar('\u0301'), "combining marks are not \\w in Python");
    assertFalse(PyText.isWordChar('-'));
    assertFalse(PyText.isWordChar(0x1F600));
  }
}
