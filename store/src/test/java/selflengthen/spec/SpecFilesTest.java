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

  @Test
  void everyFieldProblemIsListedWithItsPath() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        run_id: r1
        rounds: -1
        seed: three
        self_instruct:
          instructions_per_rond: 4
        parallelism:
          max_concurrent_shards: 1.5
        """);
    SpecValidationException e = assertThrows(SpecValidationException.class, () -> SpecFiles.read(file));
    String m = e.getMessage();
    assertEquals(4, e.problems().size(), m);
    assertTrue(m.contains("rounds: -1 is not a count"), m);
    assertTrue(m.contains("seed: 'three' is not a number"), m);
    assertTrue(m.contains("self_instruct.instructions_per_rond: unknown field (did you mean instructions_per_round?)"), m);
    assertTrue(m.contains("parallelism.max_concurrent_shards: 1.5 is not a whole number"), m);
  }

  @Test
  void syntaxErrorsHaveLineAndColumnAndDuplicateKeysAreRefused() throws IOException {
    Path yaml = dir.resolve("broken.yaml");
    Files.writeString(yaml, "run_id: r1\nmodels:\n  base_model: [unclosed\n");
    String m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(yaml)).getMessage();
    assertTrue(m.matches("(?s).*at line \\d+, column \\d+.*"), m);

    Path json = dir.resolve("broken.json");
    Files.writeString(json, "{\n  \"run_id\": \"r1\",\n  \"rounds\": 2,,\n}");
    m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(json)).getMessage();
    assertTrue(m.contains("at line 3, column"), m);

    Path dup = dir.resolve("dup.yaml");
    Files.writeString(dup, "run_id: r1\nrounds: 2\nrounds: 3\n");
    m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(dup)).getMessage();
    assertTrue(m.contains("Duplicate field 'rounds'") && m.contains("line 3"), m);
  }

  @Test
  void fileProblemsSayWhyBeforeParsing() throws IOException {
    Path big = dir.resolve("big.yaml");
    Files.writeString(big, "run_id: \"" + "x".repeat(50 << 20) + "\"\n");
    long t0 = System.nanoTime();
    String m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(big)).getMessage();
    assertTrue(m.contains("more than the 1048576 allowed"), m);
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused fast");

    m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(dir)).getMessage();
    assertTrue(m.contains("is a directory"), m);

    Path bom = dir.resolve("bom.yaml");
    Files.write(bom, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', ':', ' ', '1'});
    m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(bom)).getMessage();
    assertTrue(m.contains("byte-order mark"), m);

    Path latin1 = dir.resolve("latin1.yaml");
    Files.write(latin1, new byte[] {'r', 'u', 'n', '_', 'i', 'd', ':', ' ', (byte) 0xE9});
    m = assertThrows(IllegalArgumentException.class, () -> SpecFiles.read(latin1)).getMessage();
    assertTrue(m.contains("not UTF-8 text (invalid byte 0xe9 at byte offset 8)"), m);
  }
}
