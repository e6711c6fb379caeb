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
    // The reference's raw completion: the examples stand in the assistant turn, which the model
    // continues after "Instruction 3:"; the user turn only states the task.
    assertEquals("Instruction 1: Write A.\nInstruction 2: Write B.\nInstruction 3:", selfInstruct.assistantPrefix());
    assertTrue(!selfInstruct.user().contains("Write A."));
    assertEquals(List.of(ChatMessage.user(selfInstruct.user())), selfInstruct.messages());
    assertEquals(java.util.Optional.of("\nInstruction 4"), en.selfInstructStop());
    PromptSet zh = LanguageProfile.ZH.defaultPrompts();
    assertEquals("指令1：甲\n指令2：乙\n指令3：", zh.selfInstruct("甲", "乙").assistantPrefix());
    assertEquals(java.util.Optional.of("\n指令4"), zh.selfInstructStop());
    assertEquals(2, zh.selfInstructExamples());

    assertEquals(2, en.selfInstructExamples());
    PromptSet three = PromptSet.of(LanguageProfile.EN,
        Map.of("self_instruct", "{example1}|{example2}|{example3}", "self_instruct_prefix", "Task 4:"));
    assertEquals(3, three.selfInstructExamples());
    assertEquals(java.util.Optional.of("\nTask 5"), three.selfInstructStop());
    assertThrows(IllegalArgumentException.class, () -> PromptSet.of(LanguageProfile.EN,
        Map.of("self_instruct", "no examples", "self_instruct_prefix", "Instruction 3:")));
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
