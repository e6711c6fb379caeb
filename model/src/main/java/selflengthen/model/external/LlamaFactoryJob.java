package selflengthen.model.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;

/**
 * A LLaMA-Factory SFT config (the YAML {@link ExternalTrainer} writes, or one written by hand) read
 * as a job for this project's trainer, so that trainer can stand in for {@code llamafactory-cli
 * train}. The data set is the named entry of {@code dataset_info.json} in {@code dataset_dir}, an
 * alpaca JSON array. Keys this trainer has no use for (precision flags, template, logging) are
 * accepted and ignored; keys that would change what is trained and that it cannot honour are
 * refused.
 */
public record LlamaFactoryJob(TrainingJob job, Path resumeFrom) {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Keys read below plus those that only steer LLaMA-Factory's own machinery. */
  static final Set<String> KNOWN = Set.of(
      "model_name_or_path", "adapter_name_or_path", "stage", "do_train", "finetuning_type",
      "lora_rank", "lora_alpha", "lora_dropout", "lora_target", "dataset", "dataset_dir",
      "template", "cutoff_len", "overwrite_cache", "per_device_train_batch_size",
      "gradient_accumulation_steps", "learning_rate", "num_train_epochs", "lr_scheduler_type",
      "warmup_ratio", "weight_decay", "logging_steps", "save_steps", "output_dir",
      "overwrite_output_dir", "resume_from_checkpoint", "include_num_input_tokens_seen",
      "report_to", "seed", "bf16", "fp16", "plot_loss", "preprocessing_num_workers",
      "dataloader_num_workers", "trust_remote_code", "max_samples", "save_only_model");

  /** Reads {@code file}; relative paths in it are relative to the current directory, as in LLaMA-Factory. */
  public static LlamaFactoryJob read(Path file) throws IOException {
    JsonNode y = new YAMLMapper().readTree(file.toFile());
    if (y == null || !y.isObject()) {
      throw new IllegalArgumentException(file + " is not a YAML mapping");
    }
    List<String> unknown = new ArrayList<>();
    y.fieldNames().forEachRemaining(k -> {
      if (!KNOWN.contains(k)) {
        unknown.add(k);
      }
    });
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(file + ": keys this trainer does not support: " + unknown);
    }
    String stage = y.path("stage").asText("sft");
    if (!stage.equals("sft")) {
      throw new IllegalArgumentException(file + ": stage " + stage + " (only sft is supported)");
    }
    String type = y.path("finetuning_type").asText("lora");
    if (!type.equals("lora") && !type.equals("full")) {
      throw new IllegalArgumentException(file + ": finetuning_type " + type + " (lora or full)");
    }
    TrainingConfig config = trainingConfig(y, type.equals("full"));
    Path output = Path.of(required(y, "output_dir", file)).toAbsolutePath().normalize();
    Path resume = null;
    if (y.hasNonNull("resume_from_checkpoint")) {
      resume = Path.of(y.get("resume_from_checkpoint").asText()).toAbsolutePath().normalize();
      if (!output.equals(resume.getParent())) {
        throw new IllegalArgumentException(file + ": resume_from_checkpoint " + resume
            + " must be a checkpoint-N directory in output_dir " + output);
      }
    }
    String adapter = y.path("adapter_name_or_path").asText("");
    TrainingJob job = new TrainingJob(
        Path.of(required(y, "model_name_or_path", file)),
        adapter.isBlank() ? null : Path.of(adapter),
        output,
        output, // checkpoint-N directories go into output_dir, as with the transformers Trainer
        examples(y, file),
        config);
    return new LlamaFactoryJob(job, resume);
  }

  /** The hyper-parameters of a config, with LLaMA-Factory's defaults for keys it leaves out. */
  static TrainingConfig trainingConfig(JsonNode y, boolean full) {
    String target = y.path("lora_target").asText("all");
    List<String> targets = target.equals("all") || target.isBlank()
        ? List.of() : Arrays.stream(target.split(",")).map(String::strip).toList();
    TrainingConfig config = new TrainingConfig(
        full,
        y.path("lora_rank").asInt(8),
        (float) y.path("lora_alpha").asDouble(2.0 * y.path("lora_rank").asInt(8)),
        (float) y.path("lora_dropout").asDouble(0),
        targets,
        (float) y.path("learning_rate").asDouble(5e-5),
        (float) y.path("num_train_epochs").asDouble(3),
        y.path("lr_scheduler_type").asText("cosine"),
        (float) y.path("warmup_ratio").asDouble(0),
        y.path("cutoff_len").asInt(2048),
        y.path("per_device_train_batch_size").asInt(1),
        y.path("gradient_accumulation_steps").asInt(1),
        (float) y.path("weight_decay").asDouble(0),
        y.path("save_steps").asInt(500),
        y.path("seed").asLong(42));
    return config;
  }

  private static List<SftExample> examples(JsonNode y, Path file) throws IOException {
    String name = required(y, "dataset", file);
    if (name.contains(",")) {
      throw new IllegalArgumentException(file + ": one dataset only, got " + name);
    }
    Path dir = Path.of(y.path("dataset_dir").asText("data"));
    JsonNode info = JSON.readTree(dir.resolve("dataset_info.json").toFile());
    JsonNode entry = info.get(name);
    if (entry == null) {
      throw new IllegalArgumentException(dir.resolve("dataset_info.json") + " has no dataset " + name);
    }
    String formatting = entry.path("formatting").asText("alpaca");
    if (!formatting.equals("alpaca")) {
      throw new IllegalArgumentException("dataset " + name + ": formatting " + formatting + " (alpaca only)");
    }
    JsonNode columns = entry.path("columns");
    String prompt = columns.path("prompt").asText("instruction");
    String query = columns.path("query").asText("input");
    String response = columns.path("response").asText("output");
    JsonNode rows = JSON.readTree(dir.resolve(entry.path("file_name").asText(name + ".json")).toFile());
    List<SftExample> out = new ArrayList<>();
    for (JsonNode row : rows) {
      out.add(new SftExample(row.path(prompt).asText(""), row.path(query).asText(""),
          row.path(response).asText("")));
    }
    int max = y.path("max_samples").asInt(0);
    return max > 0 && out.size() > max ? out.subList(0, max) : out;
  }

  private static String required(JsonNode y, String key, Path file) {
    String value = y.path(key).asText("");
    if (value.isBlank()) {
      throw new IllegalArgumentException(file + ": " + key + " is required");
    }
    return value;
  }
}
