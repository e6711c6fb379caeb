package selflengthen.model.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import selflengthen.model.api.DpoJob;
import selflengthen.model.api.PreferenceExample;

/**
 * A LLaMA-Factory {@code stage: dpo} config (the YAML {@link LlamaFactoryDpoFiles} writes, or one
 * written by hand) read as a job for the in-process {@code DpoTrainer}. The preference set is the
 * named {@code ranking} entry of {@code dataset_info.json}, Alpaca form. Refused, because the
 * trainer would train something else: full fine-tuning, a loss other than {@code sigmoid}, an SFT
 * term ({@code pref_ftx} other than 0), and a reference other than base plus the adapter being
 * continued ({@code ref_model} / {@code ref_model_adapters} must name those two when an adapter
 * is given; without them LLaMA-Factory would use the base with the adapter switched off).
 */
public record LlamaFactoryDpoJob(DpoJob job, Path resumeFrom) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> KNOWN = known();

  private static Set<String> known() {
    Set<String> k = new HashSet<>(LlamaFactoryJob.KNOWN);
    k.addAll(List.of("pref_beta", "pref_loss", "pref_ftx", "ref_model", "ref_model_adapters"));
    return Set.copyOf(k);
  }

  /** The stage a config names (sft when it names none). */
  public static String stage(Path file) throws IOException {
    JsonNode y = new YAMLMapper().readTree(file.toFile());
    return y == null ? "sft" : y.path("stage").asText("sft");
  }

  public static LlamaFactoryDpoJob read(Path file) throws IOException {
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
    refuse(file, !y.path("stage").asText("").equals("dpo"), "stage must be dpo");
    refuse(file, !y.path("finetuning_type").asText("lora").equals("lora"),
        "finetuning_type must be lora");
    refuse(file, !y.path("pref_loss").asText("sigmoid").equals("sigmoid"),
        "pref_loss must be sigmoid");
    refuse(file, y.path("pref_ftx").asDouble(0) != 0, "pref_ftx must be 0");
    String base = required(y, "model_name_or_path", file);
    String adapter = y.path("adapter_name_or_path").asText("");
    if (!adapter.isBlank()) {
      refuse(file, !same(y.path("ref_model").asText(""), base)
          || !same(y.path("ref_model_adapters").asText(""), adapter),
          "the reference must be the SFT policy: ref_model = model_name_or_path and"
              + " ref_model_adapters = adapter_name_or_path");
    } else {
      refuse(file, y.hasNonNull("ref_model") && !same(y.path("ref_model").asText(""), base),
          "ref_model must be model_name_or_path");
      refuse(file, y.hasNonNull("ref_model_adapters"),
          "ref_model_adapters needs adapter_name_or_path");
    }
    Path output = Path.of(required(y, "output_dir", file)).toAbsolutePath().normalize();
    Path resume = null;
    if (y.hasNonNull("resume_from_checkpoint")) {
      resume = Path.of(y.get("resume_from_checkpoint").asText()).toAbsolutePath().normalize();
      refuse(file, !output.equals(resume.getParent()),
          "resume_from_checkpoint must be a checkpoint-N directory in output_dir");
    }
    DpoJob job = new DpoJob(Path.of(base), adapter.isBlank() ? null : Path.of(adapter), output,
        output, pairs(y, file), LlamaFactoryJob.trainingConfig(y, false),
        y.path("pref_beta").asDouble(DpoJob.DEFAULT_BETA));
    return new LlamaFactoryDpoJob(job, resume);
  }

  private static List<PreferenceExample> pairs(JsonNode y, Path file) throws IOException {
    String name = required(y, "dataset", file);
    Path dir = Path.of(y.path("dataset_dir").asText("data"));
    JsonNode entry = JSON.readTree(dir.resolve("dataset_info.json").toFile()).get(name);
    if (entry == null) {
      throw new IllegalArgumentException(dir.resolve("dataset_info.json") + " has no dataset "
          + name);
    }
    refuse(file, !entry.path("ranking").asBoolean(false), "dataset " + name
        + " is not a preference set (ranking: true)");
    refuse(file, !entry.path("formatting").asText("alpaca").equals("alpaca"), "dataset " + name
        + ": alpaca formatting only");
    JsonNode c = entry.path("columns");
    String prompt = c.path("prompt").asText("instruction");
    String query = c.path("query").asText("input");
    String chosen = c.path("chosen").asText("chosen");
    String rejected = c.path("rejected").asText("rejected");
    List<PreferenceExample> out = new ArrayList<>();
    for (JsonNode row : JSON.readTree(dir.resolve(entry.path("file_name").asText(name + ".json"))
        .toFile())) {
      out.add(new PreferenceExample(row.path(prompt).asText(""), row.path(query).asText(""),
          row.path(chosen).asText(""), row.path(rejected).asText("")));
    }
    int max = y.path("max_samples").asInt(0);
    return max > 0 && out.size() > max ? out.subList(0, max) : out;
  }

  private static boolean same(String a, String b) {
    return !a.isBlank() && Path.of(a).toAbsolutePath().normalize()
        .equals(Path.of(b).toAbsolutePath().normalize());
  }

  private static void refuse(Path file, boolean condition, String why) {
    if (condition) {
      throw new IllegalArgumentException(file + ": " + why);
    }
  }

  private static String required(JsonNode y, String key, Path file) {
    String value = y.path(key).asText("");
    if (value.isBlank()) {
      throw new IllegalArgumentException(file + ": " + key + " is required");
    }
    return value;
  }
}
