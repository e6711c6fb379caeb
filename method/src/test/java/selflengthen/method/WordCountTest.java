package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WordCountTest {
  @Test
  void englishCountsWhitespaceTokens() {
    assertEquals(5, WordCount.selfLengthen("The quick brown fox, jumps."));
    assertEquals(0, WordCount.selfLengthen("   "));
  }

  @Test
  void chineseCountsEachCharacterAndPunctuation() {
    // 5 CJK characters + the full-width comma (U+FF0C) + the ideographic full stop (U+3002).
    assertEquals(7, WordCount.selfLengthen("你好，世界吗。"));
    // Mixed: 3 CJK + "GPU" + "4" = 5.
    assertEquals(5, WordCount.selfLengthen("使用GPU 4块"));
  }

  @Test
  void longBenchCountsCjkAndLatinRunsOnly() {
    // punctuation and digits do not count; "GPU" touches 用, a word character: no \b, no match.
    assertEquals(2, WordCount.longBenchWrite("使用GPU 4。"));
    assertEquals(3, WordCount.longBenchWrite("使用 GPU 4。"));
    assertEquals(4, WordCount.longBenchWrite("Hello, world! It's"));
  }

  @Test
  void longBenchWordBoundariesAreUnicodeAwareAsPythonRe() {
    // \b[a-zA-Z]+\b: a letter run touching a Unicode letter, a digit or "_" is no match.
    assertEquals(2, WordCount.longBenchWrite("abc中文")); // the two CJK characters only
    assertEquals(0, WordCount.longBenchWrite("abc123"));
    assertEquals(0, WordCount.longBenchWrite("café"));
    assertEquals(0, WordCount.longBenchWrite("x_y"));
    assertEquals(1, WordCount.longBenchWrite("(abc)"));
    // A combining mark is not a word character in Python: "cafe" + U+0301 counts.
    assertEquals(1, WordCount.longBenchWrite("cafe\u0301"));
    // A supplementary letter (U+20000, CJK extension B) is a word character.
    assertEquals(0, WordCount.longBenchWrite("abc\uD840\uDC00"));
    assertEquals(1, WordCount.longBenchWrite("abc\uD83D\uDE00")); // an emoji is not
  }

  @Test
  void selfLengthenSplitsOnPythonWhitespace() {
    // U+00A0, U+2007, U+202F and U+0085 separate words in Python's split(); U+200B does not.
    assertEquals(2, WordCount.selfLengthen("a\u00A0b"));
    assertEquals(2, WordCount.selfLengthen("a\u2007b"));
    assertEquals(2, WordCount.selfLengthen("a\u202Fb"));
    assertEquals(2, WordCount.selfLengthen("a\u0085b"));
    assertEquals(2, WordCount.selfLengthen("a\u001Cb"));
    assertEquals(1, WordCount.selfLengthen("a\u200Bb"));
    assertEquals(0, WordCount.selfLengthen(""));
  }
}
