package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import selflengthen.method.ResponseCheck.Verdict;
import selflengthen.v1.Language;

class ResponseCheckTest {
  private final ResponseCheck en = LanguageProfile.EN.defaultCheck();
  private final ResponseCheck zh = LanguageProfile.ZH.defaultCheck();

  @Test
  void tenWordRepetitionFailsInEnglishButNineWordsPass() {
    String ten = "one two three four five six seven eight nine ten";
    String nine = "one two three four five six seven eight nine";
    ResponseCheck.Result failed = en.check(ten + " and then " + ten + " again.");
    assertEquals(Verdict.REPEATED_NGRAM, failed.verdict());
    assertTrue(failed.message().contains(ten), failed.message());
    assertEquals(Verdict.PASS, en.check(nine + " and then " + nine + " again.").verdict());
  }

  @Test
  void closingMarksAreTheReferencesAfterPythonRstrip() {
    assertEquals(Verdict.NO_CLOSING_PUNCTUATION, en.check("It ends without a stop").verdict());
    assertEquals(Verdict.PASS, en.check("It ends with a stop.  \n\n").verdict());
    // Python's rstrip() removes U+00A0 and U+3000 too.
    assertEquals(Verdict.PASS, en.check("It ends with a stop.\u00A0\u3000").verdict());
    assertEquals(Verdict.PASS, en.check("A code span `x`").verdict());
    // llama/utils.py ends: . ! ? , ; : - " ' ) ] } > `
    for (String ok : List.of("a,", "a;", "a:", "a-", "a>", "a'", "a\"", "a!", "a?", "a)", "a]", "a}")) {
      assertEquals(Verdict.PASS, en.check(ok).verdict(), ok);
    }
    // Not in the English set: curly quotes, '*', CJK marks.
    for (String bad : List.of("He said \u201Cgo\u201D", "**bold**", "结束。", "a\u2019")) {
      assertEquals(Verdict.NO_CLOSING_PUNCTUATION, en.check(bad).verdict(), bad);
    }
    assertEquals(Verdict.EMPTY, en.check("  \n ").verdict());
    assertEquals(Verdict.EMPTY, en.check(null).verdict());
    // qwen/utils.py ends: 。！？”）】’… ) ] } > `  (no ASCII '.', '!', '?', '"', no 》 」).
    for (String ok : List.of("结束。", "结束……", "好！", "吗？", "“好”", "（注）", "【注】", "a)", "<a>", "`x`")) {
      assertEquals(Verdict.PASS, zh.check(ok).verdict(), ok);
    }
    for (String bad : List.of("It ends.", "结束，", "《书》", "「好」", "好!", "a\"")) {
      assertEquals(Verdict.NO_CLOSING_PUNCTUATION, zh.check(bad).verdict(), bad);
    }
  }

  @Test
  void thirteenUnitRepetitionFailsInChineseButTwelvePass() {
    String thirteen = "我们今天一起去公园散步吧好"; // 13 characters
    assertEquals(13, thirteen.length());
    String twelve = thirteen.substring(0, 12);
    assertEquals(Verdict.REPEATED_NGRAM, zh.check(thirteen + "，然后" + thirteen + "。").verdict());
    assertEquals(Verdict.PASS, zh.check(twelve + "，然后" + twelve + "。").verdict());
  }

  @Test
  void anAsciiRunIsOneUnitInChinese() {
    // 11 CJK characters + "GPU" + "显" = 13 units (15 characters): repeated, it fails.
    String thirteenUnits = "我们今天一起去公园散步GPU显";
    assertEquals(13, ResponseCheck.cjkOrAsciiRuns(thirteenUnits).size());
    assertEquals(Verdict.REPEATED_NGRAM, zh.check(thirteenUnits + "，然后" + thirteenUnits + "。").verdict());
    // 10 CJK characters + "GPU" + "显" = 12 units although 14 characters: repeated, it passes.
    String twelveUnits = "我们今天一起去公园散GPU显";
    assertEquals(12, ResponseCheck.cjkOrAsciiRuns(twelveUnits).size());
    assertEquals(Verdict.PASS, zh.check(twelveUnits + "，然后" + twelveUnits + "。").verdict());
    assertEquals(List.of("用", "Java 17", "写"), ResponseCheck.cjkOrAsciiRuns("用Java 17写"));
  }

  @Test
  void metaWordsAreCaseSensitiveSubstringsOfTheFirstTwoOrLastThreeRawLines() {
    assertEquals(Verdict.META_WORD, en.check(tenLinesWith(2, "Here is the revised text")).verdict());
    assertEquals(Verdict.PASS, en.check(tenLinesWith(3, "Here is the revised text")).verdict());
    assertEquals(Verdict.PASS, en.check(tenLinesWith(7, "A longer version follows")).verdict());
    assertEquals(Verdict.META_WORD, en.check(tenLinesWith(8, "A longer version follows")).verdict());
    // Case-sensitive: "Version" and "RESPONSE" are not meta words.
    assertEquals(Verdict.PASS, en.check(tenLinesWith(8, "A longer Version follows")).verdict());
    assertEquals(Verdict.PASS, en.check(tenLinesWith(10, "End of the RESPONSE.")).verdict());
    // Substrings: "conversion" holds "version", "responses" holds "response".
    assertEquals(Verdict.META_WORD, en.check(tenLinesWith(1, "A conversion of it")).verdict());
    assertEquals(Verdict.META_WORD, en.check(tenLinesWith(9, "Two responses.")).verdict());
    // Blank lines count: a meta line after a title and two blank lines is the fourth line.
    String text = tenLinesWith(3, "").replaceFirst("\n", "\n\n\nthe revised text\n");
    assertEquals(Verdict.PASS, en.check(text).verdict());
    // Trailing blank lines are gone with rstrip() before the lines are cut.
    assertEquals(Verdict.META_WORD, en.check(tenLinesWith(8, "the revised text") + "\n\n\n").verdict());
    // The meta rule comes before the n-gram rule, as in the reference.
    String ten = "one two three four five six seven eight nine ten";
    assertEquals(Verdict.META_WORD, en.check("version\n" + ten + " " + ten + ".").verdict());
    // Chinese has no meta words.
    assertEquals(Verdict.PASS, zh.check("Here is the revised text\n正文。").verdict());
  }

  @Test
  void theIgnoreCaseOptionMatchesWholeWordsInAnyCaseOverNonBlankLines() {
    ResponseCheck strict =
        ResponseCheck.of(
            LanguageProfile.EN, selflengthen.v1.ResponseCheck.newBuilder().setMetaWordsIgnoreCase(true).build());
    assertEquals(ResponseCheck.MetaMatch.WORDS_IGNORE_CASE, strict.settings().metaMatch());
    assertEquals(Verdict.META_WORD, strict.check(tenLinesWith(8, "A longer Version follows")).verdict());
    assertEquals(Verdict.PASS, strict.check(tenLinesWith(1, "A conversion of it")).verdict());
    String text = tenLinesWith(3, "").replaceFirst("\n", "\n\n\nthe revised text\n");
    assertEquals(Verdict.META_WORD, strict.check(text).verdict());
  }

  @Test
  void specFieldsOverrideProfileDefaults() {
    selflengthen.v1.ResponseCheck spec =
        selflengthen.v1.ResponseCheck.newBuilder()
            .setNgramWordsEn(5)
            .setClosingPunctuation("~ !")
            .addMetaWords("draft")
            .setMetaHeadLines(1)
            .setMetaTailLines(0)
            .build();
    ResponseCheck custom = ResponseCheck.of(LanguageProfile.of(Language.LANGUAGE_UNSPECIFIED), spec);
    assertEquals(Verdict.NO_CLOSING_PUNCTUATION, custom.check("ends with a stop.").verdict());
    assertEquals(Verdict.PASS, custom.check("ends with a tilde~").verdict());
    assertEquals(Verdict.REPEATED_NGRAM, custom.check("a b c d e x a b c d e y!").verdict());
    assertEquals(Verdict.PASS, custom.check("a b c d x a b c d y!").verdict());
    assertEquals(Verdict.META_WORD, custom.check("My draft\nbody!").verdict());
    assertEquals(Verdict.PASS, custom.check("My Draft\nbody!").verdict());
    assertEquals(Verdict.PASS, custom.check("Title\nthe revised draft!").verdict());
    // Unset fields keep the Chinese defaults; ngram_words_en does not touch the Chinese rule.
    ResponseCheck zhCustom =
        ResponseCheck.of(LanguageProfile.ZH, selflengthen.v1.ResponseCheck.newBuilder().setNgramWordsEn(2).build());
    assertEquals(13, zhCustom.settings().ngramLength());
    assertEquals(ResponseCheck.NgramUnit.CJK_OR_ASCII_RUN, zhCustom.settings().ngramUnit());
    ResponseCheck zhMeta =
        ResponseCheck.of(LanguageProfile.ZH, selflengthen.v1.ResponseCheck.newBuilder().addMetaWords("修改后").build());
    assertEquals(Verdict.META_WORD, zhMeta.check("以下是修改后的文章：\n正文。").verdict());
  }

  @Test
  void ngramLengthZeroTurnsTheRuleOff() {
    ResponseCheck off =
        ResponseCheck.of(LanguageProfile.EN, selflengthen.v1.ResponseCheck.newBuilder().setNgramWordsEn(0).build());
    String ten = "one two three four five six seven eight nine ten";
    assertTrue(off.passes(ten + " " + ten + " again."));
    assertFalse(en.passes(ten + " " + ten + " again."));
  }

  /** Ten distinct lines ending with a full stop; line {@code k} (1-based) replaced by {@code line}. */
  private static String tenLinesWith(int k, String line) {
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 10; i++) {
      lines.add(i == k ? line : "Line number " + i + " tells part " + i + " of the story.");
    }
    String text = String.join("\n", lines);
    return text.endsWith(".") ? text : text + "\nThe end.";
  }
}
