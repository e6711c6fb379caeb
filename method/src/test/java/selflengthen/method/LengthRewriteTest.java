package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LengthRewriteTest {
  @Test
  void limitPhrasesInBothLanguages() {
    assertEquals(new LengthRewrite.Limit("around 3000 words", List.of("3000")),
        LengthRewrite.limit(LengthConstraint.about(3000), LanguageProfile.EN, true));
    assertEquals(new LengthRewrite.Limit("2000-3000 words", List.of("2000", "3000")),
        LengthRewrite.limit(LengthConstraint.range(3000, 2000, 3000), LanguageProfile.EN, false));
    assertEquals("more than 2000 words", LengthRewrite.limit(LengthConstraint.above(2000), LanguageProfile.EN, false).phrase());
    assertEquals("less than 4000 words", LengthRewrite.limit(LengthConstraint.below(4000), LanguageProfile.EN, false).phrase());
    assertEquals(new LengthRewrite.Limit("大约三千字", List.of("三千")),
        LengthRewrite.limit(LengthConstraint.about(3000), LanguageProfile.ZH, true));
    assertEquals("2000字至3000字", LengthRewrite.limit(LengthConstraint.range(3000, 2000, 3000), LanguageProfile.ZH, false).phrase());
    // The reference's words, unswapped: its Chinese list pairs 小于 with "above" and 大于 with "below".
    assertEquals("大于二千字", LengthRewrite.limit(LengthConstraint.above(2000), LanguageProfile.ZH, true).phrase());
    assertEquals("小于4000字", LengthRewrite.limit(LengthConstraint.below(4000), LanguageProfile.ZH, false).phrase());
  }

  @Test
  void aRewriteMustKeepEveryNumber() {
    LengthRewrite.Limit range = LengthRewrite.limit(LengthConstraint.range(3000, 2000, 3000), LanguageProfile.EN, false);
    assertTrue(LengthRewrite.keepsNumbers("Write a 2000-3000 word story about rivers.", range));
    assertTrue(LengthRewrite.keepsNumbers("In 2,000 to 3,000 words, write about rivers.", range));
    assertFalse(LengthRewrite.keepsNumbers("Write a 3000 word story about rivers.", range));
    assertFalse(LengthRewrite.keepsNumbers("  ", range));
    LengthRewrite.Limit zh = LengthRewrite.limit(LengthConstraint.about(3000), LanguageProfile.ZH, true);
    assertTrue(LengthRewrite.keepsNumbers("请写一篇大约三千字的散文。", zh));
    assertFalse(LengthRewrite.keepsNumbers("请写一篇大约3000字的散文。", zh));
  }

  @Test
  void theRewriteChatPutsTheLimitInTheSystemTurnAndTheQueryInTheUsers() {
    PromptSet en = LanguageProfile.EN.defaultPrompts();
    LengthRewrite.Limit limit = LengthRewrite.limit(LengthConstraint.about(3000), LanguageProfile.EN, false);
    ChatPrompt p = LengthRewrite.prompt(en, "Write about rivers.", limit);
    assertTrue(p.system().contains("around 3000 words"), p.system());
    assertEquals("Write about rivers.", p.user());
    assertTrue(LengthRewrite.prompt(LanguageProfile.ZH.defaultPrompts(), "写河流。",
        LengthRewrite.limit(LengthConstraint.about(3000), LanguageProfile.ZH, true)).system().contains("大约三千字"));
  }
}
