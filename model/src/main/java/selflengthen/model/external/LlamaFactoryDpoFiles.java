package selflengthen.model.external;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.PreferenceExample;
import selflengthen.model.api.TrainingJob;

/**
 * Writes a DPO job for LLaMA-Factory: the pairs as an alpaca preference set ({@code
 * instruction}, {@code input}, {@code chosen}, {@code rejected}; {@code ranking: true} in {@code
 * dataset_info.json}) and a {@code stage: dpo} config that matches the in-process {@code
 * DpoTrainer}: the policy continues the SFT adapter ({@code adapter_name_or_path}), the reference
 * is base plus SFT adapter ({@code ref_model}, {@code ref_model_adapters}; without them
 * LLaMA-Factory would take the base with the adapter switched off as reference), sigmoid loss,
 * {@code pref_beta} = the job's beta, no SFT term ({@code pref_ftx: 0}). The other keys are the
 * SFT config's ({@link LlamaFactoryFiles#config}).
 */
final class LlamaFactoryDpoFiles {
  static final String DATASET = "selflengthen_dpo";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private LlamaFactoryDpoFiles() {}

  static void write(DpoJob job, ExternalTrainerConfig settings, TrainerLayout layout,
      Path resumeFrom) throws IOException {
    Files.createDirectories(layout.datasetDir());
    Files.createDirectories(layout.trainerOutput());
    writeDataset(job.pairs(), layout.datasetDir());
    YAML.writeValue(layout.configFile().toFile(), config(job, settings, layout, resumeFrom));
  }

  /** The user turn carries the input after a blank line, as the in-process trainers build it. */
  static void writeDataset(List<PreferenceExample> pairs, Path dir) throws IOException {
    ArrayNode rows = JSON.createArrayNode();
    for (PreferenceExample p : pairs) {
      if (p.promptDiffers()) {
        throw new IllegalArgumentException("LLaMA-Factory's ranking format has one prompt per"
            + " pair; a pair with its own rejected instruction (Suri-style) can only be trained"
            + " in process");
      }
      String instruction = p.input().isEmpty() ? p.instruction()
          : p.instruction() + "\n\n" + p.input();
      rows.addObject()
          .put("instruction", instruction)
          .put("input", "")
          .put("chosen", p.chosen())
          .put("rejected", p.rejected());
    }
    JSON.writeValue(dir.resolve(DATASET + ".json").toFile(), rows);
    ObjectNode info = JSON.createObjectNode();
    ObjectNode dataset = info.putObject(DATASET);
    dataset.put("file_name", DATASET + ".json");
    dataset.put("formatting", "alpaca");
    dataset.put("ranking", true);
    dataset
        .putObject("columns")
        .put("prompt", "instruction")
        .put("query", "input")
        .put("chosen", "chosen")
        .put("rejected", "rejected");
    JSON.writeValue(dir.resolve("dataset_info.json").toFile(), info);
  }

  static Map<String, Object> config(DpoJob job, ExternalTrainerConfig settings,
      TrainerLayout layout, Path resumeFrom) {
    TrainingJob asSft = new TrainingJob(job.baseModel(), job.sftAdapter(), job.outputDir(),
        job.checkpointDir(), List.of(), job.config());
    Map<String, Object> yaml = LlamaFactoryFiles.config(asSft, settings, layout, resumeFrom);
    yaml.put("stage", "dpo");
    yaml.put("dataset", DATASET);
    yaml.put("pref_beta", job.beta());
    yaml.put("pref_loss", "sigmoid");
    yaml.put("pref_ftx", 0.0);
    if (job.sftAdapter() != null) {
      yaml.put("ref_model", job.baseModel().toString());
      yaml.put("ref_model_adapters", job.sftAdapter().toAbsolutePath().toString());
    }
    // the caller's extra arguments still have the last word
    yaml.putAll(settings.extraArguments());
    return yaml;
  }
}
