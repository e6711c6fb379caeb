package selflengthen.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder architecture shared by Qwen2 and Llama (2, 3, 3.1): what a Hugging Face config.json
 * says about it. {@code attentionBias} means q/k/v projections carry a bias (always for Qwen2);
 * {@code outputBias} means o_proj does too (Llama with attention_bias=true).
 */
public record ModelConfig(
    String architecture,
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numLayers,
    int numHeads,
    int numKvHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean outputBias,
    List<Integer> eosTokenIds,
    Integer bosTokenId,
    String torchDtype,
    double initializerRange) {

  public static final String QWEN2 = "Qwen2ForCausalLM";
  public static final String LLAMA = "LlamaForCausalLM";
  private static final ObjectMapper JSON = new ObjectMapper();

  public ModelConfig {
    if (hiddenSize % numHeads != 0 && headDim <= 0) {
      throw new IllegalArgumentException("hidden_size must divide by num_attention_heads");
    }
    if (numHeads % numKvHeads != 0) {
      throw new IllegalArgumentException(
          "num_attention_heads (" + numHeads + ") must be a multiple of num_key_value_heads ("
              + numKvHeads + ")");
    }
    eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    ropeScaling = ropeScaling == null ? RopeScaling.none() : ropeScaling;
  }

  public int qSize() {
    return numHeads * headDim;
  }

  public int kvSize() {
    return numKvHeads * headDim;
  }

  /** Parameters of the model (tied embeddings counted once). */
  public long parameterCount() {
    long h = hiddenSize;
    long perLayer =
        h * (qSize() + 2L * kvSize())
            + (attentionBias ? qSize() + 2L * kvSize() : 0)
            + (long) qSize() * h
            + (outputBias ? h : 0)
            + 3L * h * intermediateSize
            + 2L * h;
    long embed = (long) vocabSize * h;
    return embed + (tieWordEmbeddings ? 0 : embed) + numLayers * perLayer + h;
  }

  public static ModelConfig read(Path dir) throws IOException {
    Path file = dir.resolve("config.json");
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString(), null, "checkpoint has no config.json");
    }
    return fromJson(JSON.readTree(file.toFile()), file.toString());
  }

  public static ModelConfig fromJson(JsonNode n, String source) {
    String arch = n.path("architectures").path(0).asText("");
    String type = n.path("model_type").asText("");
    if (arch.isEmpty()) {
      arch = switch (type) {
        case "qwen2" -> QWEN2;
        case "llama" -> LLAMA;
        default -> "";
      };
    }
    if (!arch.equals(QWEN2) && !arch.equals(LLAMA)) {
      throw new IllegalArgumentException(
          source + ": unsupported architecture '" + (arch.isEmpty() ? type : arch)
              + "'; this engine runs " + QWEN2 + " and " + LLAMA);
    }
    String act = n.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException(source + ": unsupported hidden_act '" + act + "'");
    }
    if (n.path("mlp_bias").asBoolean(false)) {
      throw new IllegalArgumentException(source + ": mlp_bias=true is not supported");
    }
    int hidden = required(n, "hidden_size", source);
    int heads = required(n, "num_attention_heads", source);
    int kvHeads = n.path("num_key_value_heads").asInt(heads);
    int headDim = n.hasNonNull("head_dim") ? n.get("head_dim").asInt() : hidden / heads;
    boolean qwen = arch.equals(QWEN2);
    boolean llamaBias = n.path("attention_bias").asBoolean(false);
    return new ModelConfig(
        arch,
        type.isEmpty() ? (qwen ? "qwen2" : "llama") : type,
        required(n, "vocab_size", source),
        hidden,
        required(n, "intermediate_size", source),
        required(n, "num_hidden_layers", source),
        heads,
        kvHeads,
        headDim,
        n.path("rms_norm_eps").asDouble(1e-6),
        n.path("rope_theta").asDouble(10000.0),
        ropeScaling(n.get("rope_scaling"), source),
        n.path("max_position_embeddings").asInt(2048),
        n.path("tie_word_embeddings").asBoolean(false),
        qwen || llamaBias,
        !qwen && llamaBias,
        intList(n.get("eos_token_id")),
        n.hasNonNull("bos_token_id") ? n.get("bos_token_id").asInt() : null,
        n.path("torch_dtype").asText("float32"),
        n.path("initializer_range").asDouble(0.02));
  }

  private static RopeScaling ropeScaling(JsonNode r, String source) {
    if (r == null || r.isNull()) {
      return RopeScaling.none();
    }
    String type = r.hasNonNull("rope_type") ? r.get("rope_type").asText() : r.path("type").asText();
    return switch (type) {
      case "default", "" -> RopeScaling.none();
      case "linear" -> new RopeScaling("linear", r.path("factor").asDouble(1), 1, 1, 0);
      case "llama3" -> new RopeScaling(
          "llama3",
          r.path("factor").asDouble(8),
          r.path("low_freq_factor").asDouble(1),
          r.path("high_freq_factor").asDouble(4),
          r.path("original_max_position_embeddings").asInt(8192));
      default -> throw new IllegalArgumentException(
          source + ": unsupported rope_scaling type '" + type + "' (supported: linear, llama3)");
    };
  }

  private static int required(JsonNode n, String field, String source) {
    if (!n.hasNonNull(field)) {
      throw new IllegalArgumentException(source + ": missing required field '" + field + "'");
    }
    return n.get(field).asInt();
  }

  static List<Integer> intList(JsonNode n) {
    List<Integer> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isArray()) {
      n.forEach(e -> out.add(e.asInt()));
    } else {
      out.add(n.asInt());
    }
    return out;
  }

  /** The config.json a Hugging Face loader (transformers, vLLM) accepts for this architecture. */
  public ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.putArray("architectures").add(architecture);
    n.put("model_type", modelType);
    n.put("vocab_size", vocabSize);
    n.put("hidden_size", hiddenSize);
    n.put("intermediate_size", intermediateSize);
    n.put("num_hidden_layers", numLayers);
    n.put("num_attention_heads", numHeads);
    n.put("num_key_value_heads", numKvHeads);
    if (headDim != hiddenSize / numHeads) {
      n.put("head_dim", headDim);
    }
    n.put("hidden_act", "silu");
    n.put("rms_norm_eps", rmsNormEps);
    n.put("rope_theta", ropeTheta);
    if (ropeScaling.isDefault()) {
      n.putNull("rope_scaling");
    } else {
      ObjectNode r = n.putObject("rope_scaling");
      r.put("rope_type", ropeScaling.type());
      r.put("factor", ropeScaling.factor());
      if (ropeScaling.type().equals("llama3")) {
        r.put("low_freq_factor", ropeScaling.lowFreqFactor());
        r.put("high_freq_factor", ropeScaling.highFreqFactor());
        r.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
      }
    }
    n.put("max_position_embeddings", maxPositionEmbeddings);
    n.put("tie_word_embeddings", tieWordEmbeddings);
    if (architecture.equals(LLAMA)) {
      n.put("attention_bias", attentionBias);
      n.put("mlp_bias", false);
    } else {
      n.put("use_sliding_window", false);
    }
    if (bosTokenId != null) {
      n.put("bos_token_id", bosTokenId);
    }
    if (eosTokenIds.size() == 1) {
      n.put("eos_token_id", eosTokenIds.get(0));
    } else if (!eosTokenIds.isEmpty()) {
      ArrayNode a = n.putArray("eos_token_id");
      eosTokenIds.forEach(a::add);
    }
    n.put("initializer_range", initializerRange);
    n.put("torch_dtype", torchDtype);
    n.put("use_cache", true);
    return n;
  }

  public ModelConfig withTorchDtype(String dtype) {
    return new ModelConfig(architecture, modelType, vocabSize, hiddenSize, intermediateSize,
        numLayers, numHeads, numKvHeads, headDim, rmsNormEps, ropeTheta, ropeScaling,
        maxPositionEmbeddings, tieWordEmbeddings, attentionBias, outputBias, eosTokenIds,
        bosTokenId, dtype, initializerRange);
  }

  public ModelConfig withVocab(int vocab, List<Integer> eos, Integer bos) {
    return new ModelConfig(architecture, modelType, vocab, hiddenSize, intermediateSize,
        numLayers, numHeads, numKvHeads, headDim, rmsNormEps, ropeTheta, ropeScaling,
        maxPositionEmbeddings, tieWordEmbeddings, attentionBias, outputBias, eos, bos,
        torchDtype, initializerRange);
  }

  public void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), toJson());
  }
}
