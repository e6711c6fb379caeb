package selflengthen.model.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.ChatTemplate;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;

/**
 * A language model behind an OpenAI-compatible HTTP endpoint (vLLM, SGLang, DJL Serving, or this
 * project's {@code serve}).
 *
 * <p>{@link #generate} is a raw completion: {@code /completions} with prompt = prompt + forced
 * prefix, so the Extender's continuation works on any server. {@link #chat} without a forced prefix
 * uses {@code /chat/completions} and the server's template; with a forced prefix it renders the
 * prompt with the configured checkpoint template (see {@link OpenAiClientConfig}), or, when none
 * was given, sends the prefix as a final assistant message with vLLM's {@code
 * continue_final_message}.
 *
 * <p>A request's adapter is a served model name, or an absolute adapter directory that is loaded
 * once through the vLLM-style {@code /load_lora_adapter} (the server must see the same path).
 */
public final class OpenAiLanguageModel implements LanguageModel {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenAiClientConfig config;
  private final OpenAiTransport transport;
  private final RuntimeAdapters adapters;
  private volatile boolean closed;

  public OpenAiLanguageModel(OpenAiClientConfig config) {
    this.config = config;
    this.transport = new OpenAiTransport(config);
    this.adapters = new RuntimeAdapters(transport, JSON);
  }

  @Override
  public GenerationResult generate(GenerationRequest request) {
    ObjectNode body =
        requestBody(
            request.adapter(), request.sampling(), request.maxNewTokens(), request.stopStrings());
    body.put("prompt", request.prompt() + request.forcedPrefix());
    return send("/completions", body, false);
  }

  @Override
  public GenerationResult chat(
      List<ChatMessage> messages,
      String forcedPrefix,
      SamplingParams sampling,
      int maxNewTokens,
      List<String> stopStrings,
      String adapter) {
    String prefix = forcedPrefix == null ? "" : forcedPrefix;
    if (!prefix.isEmpty() && config.chatTemplate() != null) {
      return LanguageModel.super.chat(
          messages, prefix, sampling, maxNewTokens, stopStrings, adapter);
    }
    if (maxNewTokens <= 0) {
      throw new IllegalArgumentException("maxNewTokens must be positive, got " + maxNewTokens);
    }
    ObjectNode body = requestBody(adapter, sampling, maxNewTokens, stopStrings);
    ArrayNode list = body.putArray("messages");
    for (ChatMessage message : messages) {
      list.addObject().put("role", message.role()).put("content", message.content());
    }
    if (!prefix.isEmpty()) {
      list.addObject().put("role", "assistant").put("content", prefix);
      body.put("continue_final_message", true).put("add_generation_prompt", false);
    }
    return send("/chat/completions", body, true);
  }

  /**
   * The checkpoint's template given at construction: OpenAI-compatible servers do not publish
   * theirs, and prompts rendered here must match what the server's model was trained with.
   */
  @Override
  public ChatTemplate chatTemplate() {
    if (config.chatTemplate() == null) {
      throw new IllegalStateException(
          "endpoint model "
              + config.model()
              + " at "
              + config.baseUrl()
              + " has no chat template configured; pass the checkpoint's template to"
              + " OpenAiClientConfig");
    }
    return config.chatTemplate();
  }

  @Override
  public String name() {
    return config.model();
  }

  public OpenAiClientConfig config() {
    return config;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "OpenAiLanguageModel[" + config + "]";
  }

  private ObjectNode requestBody(
      String adapter, SamplingParams sampling, int maxTokens, List<String> stops) {
    if (closed) {
      throw new IllegalStateException(this + " is closed");
    }
    ObjectNode body = JSON.createObjectNode();
    body.put(
        "model",
        adapter == null || adapter.isBlank() ? config.model() : adapters.modelNameFor(adapter));
    body.put("max_tokens", maxTokens);
    if (sampling != null) {
      body.put("temperature", sampling.isGreedy() ? 0f : sampling.temperature());
      // vLLM extensions go out only when they change something: OpenAI itself rejects unknown
      // fields.
      if (!sampling.isGreedy() && sampling.topP() > 0f && sampling.topP() < 1f) {
        body.put("top_p", sampling.topP());
      }
      if (!sampling.isGreedy() && sampling.topK() > 0) {
        body.put("top_k", sampling.topK());
      }
      if (sampling.repetitionPenalty() > 0f && sampling.repetitionPenalty() != 1f) {
        body.put("repetition_penalty", sampling.repetitionPenalty());
      }
      body.put("seed", sampling.seed());
    }
    if (stops != null && !stops.isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      stops.forEach(stop::add);
    }
    if (config.stream()) {
      body.put("stream", true);
      body.putObject("stream_options").put("include_usage", true);
    }
    return body;
  }

  private GenerationResult send(String path, ObjectNode body, boolean chat) {
    String json;
    try {
      json = JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a request body", e);
    }
    String reply = transport.post(path, json);
    String source = config.baseUrl() + path;
    return config.stream()
        ? OpenAiReplies.fromStream(reply, chat, source)
        : OpenAiReplies.fromJson(reply, chat, source);
  }
}
