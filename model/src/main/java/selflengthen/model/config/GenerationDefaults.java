package selflengthen.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import selflengthen.model.api.SamplingParams;

/**
 * generation_config.json: the sampling a checkpoint's authors recommend and its end-of-sequence
 * ids. Absent fields take transformers' defaults (greedy unless do_sample).
 */
public record GenerationDefaults(
    boolean doSample,
    float temperature,
    int topK,
    float topP,
    float repetitionPenalty,
    Integer maxNewTokens,
    List<Integer> eosTokenIds,
    Integer padTokenId) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static GenerationDefaults read(Path dir) throws IOException {
    Path file = dir.resolve("generation_config.json");
    JsonNode n = Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
    return new GenerationDefaults(
        n.path("do_sample").asBoolean(false),
        (float) n.path("temperature").asDouble(1.0),
        n.path("top_k").asInt(50),
        (float) n.path("top_p").asDouble(1.0),
        (float) n.path("repetition_penalty").asDouble(1.0),
        n.hasNonNull("max_new_tokens") ? n.get("max_new_tokens").asInt() : null,
        ModelConfig.intList(n.get("eos_token_id")),
        n.hasNonNull("pad_token_id") ? n.get("pad_token_id").asInt() : null);
  }

  /** The recommended sampling (greedy when do_sample is false) with the given seed. */
  public SamplingParams sampling(long seed) {
    if (!doSample) {
      return new SamplingParams(0f, 0, 1f, repetitionPenalty, seed);
    }
    return new SamplingParams(temperature, topK, topP, repetitionPenalty, seed);
  }

  public void write(Path dir) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("do_sample", doSample);
    n.put("temperature", temperature);
    n.put("top_k", topK);
    n.put("top_p", topP);
    n.put("repetition_penalty", repetitionPenalty);
    if (maxNewTokens != null) {
      n.put("max_new_tokens", maxNewTokens);
    }
    var eos = n.putArray("eos_token_id");
    eosTokenIds.forEach(eos::add);
    if (padTokenId != null) {
      n.put("pad_token_id", padTokenId);
    }
    Files.createDirectories(dir);
    JSON.writerWithDefaultPrettyPrinter().writeValue(
        dir.resolve("generation_config.json").toFile(), n);
  }
}
