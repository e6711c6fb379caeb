package selflengthen.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import selflengthen.method.Prompts.Name;
import selflengthen.model.api.ChatMessage;

class PromptSetTest {

  @Test
  void everyDefaultHasItsRequiredPlaceholders() {
    for (LanguageProfile profile : LanguageProfile.values()) {
      PromptSet prompts = profile.defaultPrompts();
      for (Name name : Name.values()) {
        String template = prompts.template(name);
        assertEquals(List.of(), Prompts.missingPlaceholders(name, template), profile + " " + name.key());
        assertTrue(name == Name.RESPOND || !template.isBlank(), profile + " " + name.key() + " is blank");
        assertTrue(!template.endsWith("\n"), "trailing newline removed from " + name.key());
      }
      // The Extender is asked with the prompt it was trained on.
      assertEquals(prompts.template(Name.EXTEND_WHOLE), prompts.template(Name.EXTENDER_TRAINING_INPUT));
    }
  }

  @Test
  void renderSubstitutesKnownPlaceholdersOnlyAndOnce() {
    assertEquals(
        "Say {\"a\": 1} about X; keep {other} and {text}",
        Prompts.render("Say {\"a\": 1} about {instruction}; keep {other} and {text}", Map.of("instruction", "X")));
    // A value holding a placeholder is not expanded again; $ and \ are literal.
    assertEquals(
        "I: {text} $1 \\ / T: body",
        Prompts.render("I: {instruction} / T: {text}", Map.of("instruction", "{text} $1 \\", "text", "body")));
  }

  @Test
  void typedMethodsRenderChatPrompts() {
    PromptSet en = LanguageProfile.EN.defaultPrompts();
    ChatPrompt selfInstruct = en.selfInstruct("Write A.", "Write B.");
    assertTrue(selfInstruct.user().contains("Instruction 1: Write A."));
    assertTrue(selfInstruct.user().contains("Instruction 2: Write B."));
    assertEquals("Instruction 3:", selfInstruct.assistantPrefix());
    assertEquals(List.of(ChatMessage.user(selfInstruct.user())), selfInstruct.messages());

    assertEquals(2, en.selfInstructExamples());
    PromptSet three = PromptSet.of(LanguageProfile.EN, Map.of("self_instruct", "{example1}|{example2}|{example3}"));
    assertEquals(3, three.selfInstructExamples());
    assertEquals("A|B|C", three.selfInstruct(List.of("A", "B", "C")).user());

    ChatPrompt judge = en.judgeInstruction("Write a novel.", 2000);
    assertTrue(judge.user().contains("more than 2000 words"));
    assertTrue(judge.user().contains("Write a novel."));

    ChatPrompt respond = en.respond("Write a novel.");
    assertEquals(List.of(ChatMessage.user("Write a novel.")), respond.messages(), "no system turn by default");

    ChatPrompt whole = en.extendWhole("Write a novel.", "Chapter one.", "Chapter one, longer.");
    assertTrue(whole.user().endsWith("Chapter one."));
    assertEquals("Chapter one, longer.", whole.assistantPrefix());
    assertTrue(en.extendFormer("Write a novel.", "Opening.").user().contains("Opening."));
    assertEquals(
        whole.user(), en.extenderTrainingInput("Write a novel.", "Chapter one."));

    assertTrue(LanguageProfile.ZH.defaultPrompts().judgeInstruction("写小说。", 2000).user().contains("超过2000字"));
  }

  @Test
  void overridesReplaceDefaultsAndMustKeepPlaceholders() {
    PromptSet custom =
        PromptSet.of(
            LanguageProfile.EN,
            Map.of("extend_whole", "Expand for {instruction}:\n{text}", "respond", "You write long texts."));
    assertEquals("Expand for Q:\nT", custom.extendWhole("Q", "T", "").user());
    assertEquals(ChatMessage.system("You write long texts."), custom.respond("Q").messages().get(0));
    // Untouched prompts keep their defaults.
    assertEquals(
        LanguageProfile.EN.defaultPrompts().template(Name.EXTEND_FORMER), custom.template(Name.EXTEND_FORMER));
    assertSame(LanguageProfile.EN.defaultPrompts(), PromptSet.of(LanguageProfile.EN, Map.of()));

    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () -> PromptSet.of(LanguageProfile.EN, Map.of("extend_former", "Expand {instruction} please")));
    assertTrue(missing.getMessage().contains("extend_former"), missing.getMessage());
    assertTrue(missing.getMessage().contains("{text}"), missing.getMessage());

    IllegalArgumentException judge =
        assertThrows(
            IllegalArgumentException.class,
            () -> PromptSet.of(LanguageProfile.ZH, Map.of("judge_instruction", "{instruction} 长吗？")));
    assertTrue(judge.getMessage().contains("{long_words}"), judge.getMessage());

    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> PromptSet.of(LanguageProfile.EN, Map.of("extend", "{text}")));
    assertTrue(unknown.getMessage().contains("\"extend\""), unknown.getMessage());
  }
}
