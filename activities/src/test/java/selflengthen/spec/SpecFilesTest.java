package selflengthen.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.v1.Language;
import selflengthen.v1.RunSpec;

class SpecFilesTest {
  @TempDir Path dir;

  @Test
  void readsYaml() throws IOException {
    Path file = dir.resolve("spec.yaml");
    Files.writeString(file, """
        run_id: r1
        rounds: 2
        language: LANGUAGE_ZH
        models:
          base_model: /m
        sampling:
          temperature: 0.5
          stop: ["\\n###"]
        selfInstruct:          # camelCase works too
          seedFile: seeds.jsonl
        prompt_overrides:
          respond: "Answer: {instruction}"
        """);
    RunSpec spec = SpecFiles.read(file);
    assertEquals("r1", spec.getRunId());
    assertEquals(2, spec.getRounds());
    assertEquals(Language.LANGUAGE_ZH, spec.getLanguage());
    assertEquals("/m", spec.getModels().getBaseModel());
    assertEquals(0.5f, spec.getSampling().getTemperature());
    assertEquals("\n###", spec.getSampling().getStop(0));
    assertEquals("seeds.jsonl", spec.getSelfInstruct().getSeedFile());
    assertEquals("Answer: {instruction}", spec.getPromptOverridesOrThrow("respond"));
  }

  @Test
  void readsJsonAndRoundTripsThroughToJson() throws IOException {
    RunSpec spec = SpecDefaults.resolve(RunSpec.newBuilder().setRunId("r2").build());
    Path file = dir.resolve("spec.json");
    Files.writeString(file, SpecFiles.toJson(spec));
    assertTrue(Files.readString(file).contains("\"run_id\": \"r2\""));
    assertEquals(spec, SpecFiles.read(file));
  }

  @Test
  void unknownFieldsAndMissingFilesAreClearErrors() throws IOException {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "run_id: r1\nsampling:\n  temprature: 0.5\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(file));
    assertTrue(e.getMessage().contains("typo.yaml") && e.getMessage().contains("temprature"), e.getMessage());

    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(dir.resolve("nope.yaml")));
    assertTrue(missing.getMessage().startsWith("spec file not found"), missing.getMessage());

    Path list = dir.resolve("list.yaml");
    Files.writeString(list, "- a\n- b\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(list))
        .getMessage().contains("mapping"));
  }
}
