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
    // punctuation and digits do not count; "GPU" is one run.
    assertEquals(3, WordCount.longBenchWrite("使用GPU 4。"));
    assertEquals(4, WordCount.longBenchWrite("Hello, world! It's"));
  }
}
