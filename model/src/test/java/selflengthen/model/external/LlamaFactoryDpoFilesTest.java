package selflengthen.model.external;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingProgress;
import selflengthen.model.api.TrainingReport;

/** The LLaMA-Factory DPO config and preference set, and a DPO run through the external command. */
class LlamaFactoryDpoFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  private static final List<PreferenceExample> PAIRS = List.of(
      new PreferenceExample("write a story", "about cats", "A long story about cats.", "Cats."),
      new PreferenceExample("describe rain", "", "Rain falls, long and slow.", "Rain."),
      new PreferenceExample("name a river", "", "The Nile, which flows north.", "Nile."));

  private DpoJob job(Path sft) {
    TrainingConfig c = new TrainingConfig(false, 4, 8f, 0f, List.of("q_proj", "v_proj"), 5e-6f,
        2f, "cosine", 0.1f, 4096, 1, 1, 0f, 2, 7L);
    return new DpoJob(tmp.resolve("base"), sft, tmp.resolve("dpo-adapter"), tmp.resolve("ckpt"),
        PAIRS, c, DpoJob.DEFAULT_BETA);
  }

  @Test
  void writesAStageDpoConfigAgainstTheSftPolicyAndARankingDataset() throws Exception {
    DpoJob job = job(tmp.resolve("sft-adapter"));
    ExternalTrainerConfig settings = ExternalTrainerConfig.of("llamafactory-cli train", "qwen");
    TrainerLayout layout = TrainerLayout.of(new selflengthen.model.api.TrainingJob(
        job.baseModel(), job.sftAdapter(), job.outputDir(), job.checkpointDir(), List.of(),
        job.config()));
    LlamaFactoryDpoFiles.write(job, settings, layout, null);

    JsonNode yaml = new YAMLMapper().readTree(layout.configFile().toFile());
    assertEquals("dpo", yaml.get("stage").asText());
    assertEquals("lora", yaml.get("finetuning_type").asText());
    assertEquals("selflengthen_dpo", yaml.get("dataset").asText());
    assertEquals(0.1, yaml.get("pref_beta").asDouble(), 1e-12);
    assertTrue(yaml.get("pref_beta").isNumber());
    assertEquals("sigmoid", yaml.get("pref_loss").asText());
    assertEquals(0.0, yaml.get("pref_ftx").asDouble());
    // the policy continues the SFT adapter; the reference is base + the same adapter, frozen
    String sft = tmp.resolve("sft-adapter").toAbsolutePath().toString();
    assertEquals(sft, yaml.get("adapter_name_or_path").asText());
    assertEquals(tmp.resolve("base").toString(), yaml.get("ref_model").asText());
    assertEquals(sft, yaml.get("ref_model_adapters").asText());
    assertEquals(5e-6, yaml.get("learning_rate").asDouble(), 1e-15);
    assertEquals(4096, yaml.get("cutoff_len").asInt());
    assertEquals("qwen", yaml.get("template").asText());
    assertFalse(yaml.has("resume_from_checkpoint"));

    JsonNode info = JSON.readTree(layout.datasetDir().resolve("dataset_info.json").toFile());
    JsonNode entry = info.get("selflengthen_dpo");
    assertEquals("selflengthen_dpo.json", entry.get("file_name").asText());
    assertEquals("alpaca", entry.get("formatting").asText());
    assertTrue(entry.get("ranking").asBoolean());
    assertEquals("instruction", entry.at("/columns/prompt").asText());
    assertEquals("input", entry.at("/columns/query").asText());
    assertEquals("chosen", entry.at("/columns/chosen").asText());
    assertEquals("rejected", entry.at("/columns/rejected").asText());
    JsonNode rows = JSON.readTree(layout.datasetDir().resolve("selflengthen_dpo.json").toFile());
    assertEquals(3, rows.size());
    assertEquals("write a story\n\nabout cats", rows.get(0).get("instruction").asText());
    assertEquals("", rows.get(0).get("input").asText());
    assertEquals("A long story about cats.", rows.get(0).get("chosen").asText());
    assertEquals("Cats.", rows.get(0).get("rejected").asText());
  }

  @Test
  void withoutAnSftAdapterTheReferenceIsLeftToLlamaFactoryAndExtrasWin() {
    DpoJob job = job(null);
    ExternalTrainerConfig settings = ExternalTrainerConfig.of("llamafactory-cli train")
        .withExtraArguments(Map.of("pref_beta", 0.05));
    Map<String, Object> yaml = LlamaFactoryDpoFiles.config(job, settings, TrainerLayout.of(
        new selflengthen.model.api.TrainingJob(job.baseModel(), null, job.outputDir(),
            job.checkpointDir(), List.of(), job.config())), null);
    assertFalse(yaml.containsKey("ref_model"));
    assertFalse(yaml.containsKey("adapter_name_or_path"));
    assertEquals(0.05, yaml.get("pref_beta"));
    assertEquals(4, yaml.get("lora_rank"));
  }

  @Test
  void aPairWithItsOwnRejectedInstructionIsRefused() {
    var suri = List.of(new PreferenceExample("write 900 words", "", "long text", "long text",
        "write 9 words"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> LlamaFactoryDpoFiles.writeDataset(suri, tmp));
  }

  @Test
  void aDpoJobRunsThroughTheExternalCommand() throws Exception {
    Path script = Path.of(getClass().getResource("fake-llamafactory.sh").toURI());
    ExternalTrainer trainer = new ExternalTrainer(
        ExternalTrainerConfig.of("bash '" + script + "' train {config}", "qwen"));
    DpoJob job = job(tmp.resolve("sft-adapter"));
    List<TrainingProgress> steps = new ArrayList<>();
    TrainingReport r = trainer.trainDpo(job, steps::add);
    assertEquals(6, steps.size(), "3 pairs x 2 epochs, one logged step each");
    assertEquals(6, r.steps());
    assertEquals(3, r.examples());
    assertTrue(Files.exists(job.outputDir().resolve("adapter_model.safetensors")));
    assertTrue(Files.readString(job.checkpointDir().resolve("job/train.yaml"))
        .contains("stage: dpo"));
  }
}
