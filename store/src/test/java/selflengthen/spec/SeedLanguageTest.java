package selflengthen.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.Language;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;

class SeedLanguageTest {
  @TempDir Path dir;

  @Test
  void detectsTheSeedsLanguage() {
    assertEquals(Language.LANGUAGE_ZH, SeedLanguage.of(List.of("写一篇关于长江的散文，不少于3000字。")));
    assertEquals(Language.LANGUAGE_ZH, SeedLanguage.of(List.of("请用Python写一个详细的教程，介绍机器学习的基本概念和方法。")));
    assertEquals(Language.LANGUAGE_EN, SeedLanguage.of(List.of("Write a 3000-word essay on the Yangtze (长江).")));
  }

  @Test
  void fillsAMissingLanguageAndRefusesAContradiction() throws Exception {
    Path zh = dir.resolve("zh.jsonl");
    Files.writeString(zh, "{\"prompt\": \"写一篇关于长江的散文。\"}\n{\"prompt\": \"描写一座古城的四季。\"}\n");
    RunSpec spec = RunSpec.newBuilder().setRunId("r")
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile(zh.toString())).build();
    assertEquals(Language.LANGUAGE_ZH, SeedLanguage.apply(spec).getLanguage());
    assertEquals(Language.LANGUAGE_ZH,
        SeedLanguage.apply(spec.toBuilder().setLanguage(Language.LANGUAGE_ZH).build()).getLanguage());
    SpecValidationException e = assertThrows(SpecValidationException.class,
        () -> SeedLanguage.apply(spec.toBuilder().setLanguage(Language.LANGUAGE_EN).build()));
    assertTrue(e.getMessage().contains("LANGUAGE_EN") && e.getMessage().contains("Chinese"), e.getMessage());
    assertEquals(1, e.problems().size());
    assertTrue(!e.getMessage().contains("\n"));
    // An unreadable seed file is left to the validator.
    RunSpec missing = RunSpec.newBuilder().setRunId("r")
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile(dir.resolve("none.jsonl").toString())).build();
    assertEquals(Language.LANGUAGE_UNSPECIFIED, SeedLanguage.apply(missing).getLanguage());
  }
}
