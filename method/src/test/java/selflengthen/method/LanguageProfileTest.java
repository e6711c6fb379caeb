package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import selflengthen.v1.Language;

class LanguageProfileTest {
  @Test
  void mapsTheProtoLanguage() {
    assertEquals(LanguageProfile.EN, LanguageProfile.of(Language.LANGUAGE_UNSPECIFIED));
    assertEquals(LanguageProfile.EN, LanguageProfile.of(Language.LANGUAGE_EN));
    assertEquals(LanguageProfile.ZH, LanguageProfile.of(Language.LANGUAGE_ZH));
    assertThrows(IllegalArgumentException.class, () -> LanguageProfile.of(Language.UNRECOGNIZED));
    assertEquals(Language.LANGUAGE_ZH, LanguageProfile.ZH.toProto());
  }

  @Test
  void countsWordsWithTheSelfLengthenCount() {
    assertEquals(5, LanguageProfile.EN.countWords("The quick brown fox, jumps."));
    assertEquals(7, LanguageProfile.ZH.countWords("你好，世界吗。"));
  }

  @Test
  void checkDefaultsFollowTheReference() {
    ResponseCheck.Settings en = LanguageProfile.EN.defaultCheckSettings();
    assertEquals(10, en.ngramLength());
    assertEquals(ResponseCheck.NgramUnit.WORD, en.ngramUnit());
    assertEquals(2, en.metaHeadLines());
    assertEquals(3, en.metaTailLines());
    assertTrue(en.metaWords().containsAll(java.util.List.of("revised", "revision", "response", "version", "paragraph")));
    ResponseCheck.Settings zh = LanguageProfile.ZH.defaultCheckSettings();
    assertEquals(13, zh.ngramLength());
    assertEquals(ResponseCheck.NgramUnit.CJK_OR_ASCII_RUN, zh.ngramUnit());
    assertEquals(0, zh.metaWords().size());
    assertEquals(".!?,;:-\"')]}>`", en.closingPunctuation());
    assertEquals("。！？”）】’…)]}>`", zh.closingPunctuation());
    assertEquals(List.of("revised", "revision", "response", "version", "paragraph"), en.metaWords());
    assertEquals("\n\n", LanguageProfile.ZH.extenderLineJoiner());
    assertEquals("\n", LanguageProfile.EN.extenderLineJoiner());
  }
}
