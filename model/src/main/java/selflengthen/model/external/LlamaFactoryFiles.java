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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;

/**
 * Writes a job's training set (alpaca JSON array), its {@code dataset_info.json} and a
 * LLaMA-Factory SFT config. Only keys LLaMA-Factory knows are written: its argument parser refuses
 * unknown ones.
 */
final class LlamaFactoryFiles {
  static final String DATASET = "selflengthen_sft";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .build());

  private LlamaFactoryFiles() {}

  static void write(
      TrainingJob job, ExternalTrainerConfig settings, TrainerLayout layout, Path resumeFrom)
      throws IOException {
    Files.createDirectories(layout.datasetDir());
    Files.createDirectories(layout.trainerOutput());
    writeDataset(job.examples(), layout.datasetDir());
    YAML.writeValue(layout.configFile().toFile(), config(job, settings, layout, resumeFrom));
  }

  /**
   * The instruction carries the input after a blank line, as the in-process trainer builds the user
   * turn ({@link SftExample}); LLaMA-Factory would join them with a single newline.
   */
  private static void writeDataset(List<SftExample> examples, Path dir) throws IOException {
    ArrayNode rows = JSON.createArrayNode();
    for (SftExample example : examples) {
      String input = example.input() == null ? "" : example.input();
      String instruction =
          input.isEmpty() ? example.instruction() : example.instruction() + "\n\n" + input;
      rows.addObject()
          .put("instruction", instruction)
          .put("input", "")
          .put("output", example.output());
    }
    JSON.writeValue(dir.resolve(DATASET + ".json").toFile(), rows);
    ObjectNode info = JSON.createObjectNode();
    ObjectNode dataset = info.putObject(DATASET);
    dataset.put("file_name", DATASET + ".json");
    dataset.put("formatting", "alpaca");
    dataset
        .putObject("columns")
        .put("prompt", "instruction")
        .put("query", "input")
        .put("response", "output");
    JSON.writeValue(dir.resolve("dataset_info.json").toFile(), info);
  }

  static Map<String, Object> config(
      TrainingJob job, ExternalTrainerConfig settings, TrainerLayout layout, Path resumeFrom) {
    TrainingConfig c = job.config();
    Map<String, Object> yaml = new LinkedHashMap<>();
    yaml.put("model_name_or_path", job.baseModel().toString());
    if (job.initAdapter() != null) {
      yaml.put("adapter_name_or_path", job.initAdapter().toAbsolutePath().toString());
    }
    yaml.put("stage", "sft");
    yaml.put("do_train", true);
    yaml.put("finetuning_type", c.fullFineTune() ? "full" : "lora");
    if (!c.fullFineTune()) {
      yaml.put("lora_rank", c.loraRank());
      // LLaMA-Factory reads lora_alpha as an integer.
      yaml.put("lora_alpha", Math.round(c.loraAlpha()));
      yaml.put("lora_dropout", exact(c.loraDropout()));
      List<String> targets = c.loraTargets() == null ? List.of() : c.loraTargets();
      yaml.put(
          "lora_target",
          targets.isEmpty() || targets.contains("all") ? "all" : String.join(",", targets));
    }
    yaml.put("dataset", DATASET);
    yaml.put("dataset_dir", layout.datasetDir().toString());
    if (settings.template() != null) {
      yaml.put("template", settings.template());
    }
    yaml.put("cutoff_len", c.cutoffLen());
    yaml.put("overwrite_cache", true);
    yaml.put("per_device_train_batch_size", Math.max(1, c.batchSize()));
    yaml.put("gradient_accumulation_steps", Math.max(1, c.gradientAccumulation()));
    yaml.put("learning_rate", exact(c.learningRate()));
    yaml.put("num_train_epochs", exact(c.epochs()));
    yaml.put(
        "lr_scheduler_type",
        c.lrScheduler() == null || c.lrScheduler().isBlank() ? "cosine" : c.lrScheduler());
    yaml.put("warmup_ratio", exact(c.warmupRatio()));
    yaml.put("weight_decay", exact(c.weightDecay()));
    // One log line per step: the progress the activity heartbeats comes from these lines.
    yaml.put("logging_steps", 1);
    yaml.put("save_steps", c.checkpointEvery() > 0 ? c.checkpointEvery() : 50);
    yaml.put("output_dir", layout.trainerOutput().toString());
    // Leftover files of a killed attempt must not stop the retry; resuming is explicit below.
    yaml.put("overwrite_output_dir", true);
    if (resumeFrom != null) {
      yaml.put("resume_from_checkpoint", resumeFrom.toString());
    }
    yaml.put("include_num_input_tokens_seen", true);
    yaml.put("report_to", "none");
    yaml.put("seed", c.seed());
    yaml.put("bf16", settings.precision() == ExternalTrainerConfig.Precision.BF16);
    yaml.put("fp16", settings.precision() == ExternalTrainerConfig.Precision.FP16);
    yaml.putAll(settings.extraArguments());
    return yaml;
  }

  /** The float's decimal text as a double (1e-4f stays 1.0E-4, which PyYAML reads as a float). */
  private static double exact(float value) {
    return Double.parseDouble(Float.toString(value));
  }
}
