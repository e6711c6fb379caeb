package selflengthen.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import selflengthen.model.nn.Projection;

/** A PEFT LoRA adapter_config.json: rank, alpha, dropout and which linear layers it adapts. */
public record LoraConfig(int rank, float alpha, float dropout, List<String> targetModules,
    boolean useRslora) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public LoraConfig {
    if (rank <= 0) {
      throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
    }
    targetModules = targetModules == null || targetModules.isEmpty()
        ? Projection.ALL_MODULES : List.copyOf(targetModules);
    for (String m : targetModules) {
      Projection.of(m);
    }
  }

  /** PEFT's scaling of B A: alpha / r, or alpha / sqrt(r) with rsLoRA. */
  public float scale() {
    return useRslora ? (float) (alpha / Math.sqrt(rank)) : alpha / rank;
  }

  public static LoraConfig read(Path dir) throws IOException {
    Path file = dir.resolve("adapter_config.json");
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "not a PEFT adapter directory");
    }
    JsonNode n = JSON.readTree(file.toFile());
    String type = n.path("peft_type").asText("LORA");
    if (!type.equals("LORA")) {
      throw new IllegalArgumentException(file + ": peft_type " + type + " is not supported (LORA)");
    }
    unsupported(file, n, "use_dora", n.path("use_dora").asBoolean(false));
    unsupported(file, n, "fan_in_fan_out", n.path("fan_in_fan_out").asBoolean(false));
    unsupported(file, n, "bias", !n.path("bias").asText("none").equals("none"));
    unsupported(file, n, "rank_pattern", n.path("rank_pattern").size() > 0);
    unsupported(file, n, "alpha_pattern", n.path("alpha_pattern").size() > 0);
    unsupported(file, n, "modules_to_save", n.path("modules_to_save").size() > 0);
    return new LoraConfig(
        n.path("r").asInt(8),
        (float) n.path("lora_alpha").asDouble(8),
        (float) n.path("lora_dropout").asDouble(0),
        targets(n.get("target_modules")),
        n.path("use_rslora").asBoolean(false));
  }

  private static void unsupported(Path file, JsonNode n, String field, boolean set) {
    if (set) {
      throw new IllegalArgumentException(file + ": " + field + " = " + n.get(field)
          + " is not supported by this engine");
    }
  }

  private static List<String> targets(JsonNode n) {
    if (n == null || n.isNull()) {
      return Projection.ALL_MODULES;
    }
    if (n.isArray()) {
      List<String> out = new ArrayList<>();
      n.forEach(e -> out.add(e.asText()));
      return out;
    }
    String s = n.asText();
    if (s.equals("all-linear")) {
      return Projection.ALL_MODULES;
    }
    // PEFT treats a string as a regex over full module names
    Pattern p = Pattern.compile(s);
    List<String> out = new ArrayList<>();
    for (String m : Projection.ALL_MODULES) {
      if (p.matcher("model.layers.0." + Projection.of(m).block() + "." + m).matches()
          || p.matcher(m).matches()) {
        out.add(m);
      }
    }
    return out;
  }

  public void write(Path dir, String baseModel) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.putObject("alpha_pattern");
    n.putNull("auto_mapping");
    n.put("base_model_name_or_path", baseModel);
    n.put("bias", "none");
    n.put("fan_in_fan_out", false);
    n.put("inference_mode", true);
    n.put("init_lora_weights", true);
    n.putNull("layers_pattern");
    n.putNull("layers_to_transform");
    n.put("lora_alpha", alpha);
    n.put("lora_dropout", dropout);
    n.putNull("modules_to_save");
    n.put("peft_type", "LORA");
    n.put("r", rank);
    n.putObject("rank_pattern");
    n.putNull("revision");
    var t = n.putArray("target_modules");
    targetModules.forEach(t::add);
    n.put("task_type", "CAUSAL_LM");
    n.put("use_dora", false);
    n.put("use_rslora", useRslora);
    Files.createDirectories(dir);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("adapter_config.json").toFile(), n);
  }
}
