package selflengthen.workers.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.SamplingParams;

/**
 * Validates OpenAI request bodies. Every refusal names the offending field. Fields that would
 * change the answer and that this server does not offer (n > 1, logprobs, tools, penalties other
 * than repetition_penalty, vLLM's min_tokens and ignore_eos, ...; docs/serve.md lists them) are
 * refused rather than silently ignored; unknown fields are ignored, as OpenAI-compatible servers do. Prompts longer than the
 * model's context are refused by their length in characters before they are tokenized, then by
 * their token count; a max_tokens that does not fit beside the prompt is refused, not clamped.
 *
 * <p>Chat extension, as in vLLM: {@code "continue_final_message": true} (with {@code
 * "add_generation_prompt": false} or absent) makes the last message, which must be the assistant's,
 * a forced prefix: the model continues it, and the reply holds only the continuation.
 */
final class OpenAiRequests {
  private static final List<String> ROLES = List.of("system", "user", "assistant");
  private static final List<String> UNSUPPORTED_EXTENSIONS =
      List.of(
          "min_tokens",
          "ignore_eos",
          "min_p",
          "stop_token_ids",
          "bad_words",
          "use_beam_search",
          "length_penalty",
          "prompt_logprobs",
          "include_stop_str_in_output",
          "truncate_prompt_tokens",
          "guided_json",
          "guided_regex",
          "guided_choice",
          "guided_grammar");

  private OpenAiRequests() {}

  static CompletionCall completion(JsonNode body, ModelCatalog catalog, ServerOptions options) {
    ServedModel model = model(body, catalog);
    String prompt = prompt(body.get("prompt"));
    rejectSet(body, "echo", "echo is not supported");
    rejectSet(body, "suffix", "suffix is not supported");
    checkChars(model, prompt.length(), "prompt");
    return call(body, model, prompt, "", false, options);
  }

  static CompletionCall chat(JsonNode body, ModelCatalog catalog, ServerOptions options) {
    ServedModel model = model(body, catalog);
    List<ChatMessage> messages = messages(body.get("messages"));
    // Before the template renders them: a template adds markup, never removes text.
    checkChars(model, messages.stream().mapToLong(m -> m.content().length()).sum(), "messages");
    rejectSet(body, "tools", "tools are not supported");
    rejectSet(body, "functions", "functions are not supported");
    rejectSet(body, "tool_choice", "tool_choice is not supported");
    JsonNode format = body.get("response_format");
    if (isSet(format) && !"text".equals(format.path("type").asText("text"))) {
      throw ApiError.unsupported("response_format", "only the text response_format is supported");
    }
    boolean continueFinal = bool(body, "continue_final_message", false);
    boolean generationPrompt = bool(body, "add_generation_prompt", !continueFinal);
    String prefix = "";
    List<ChatMessage> context = messages;
    if (continueFinal) {
      if (generationPrompt) {
        throw ApiError.invalid(
            "add_generation_prompt",
            "continue_final_message needs add_generation_prompt false (or absent)");
      }
      ChatMessage last = messages.get(messages.size() - 1);
      if (!last.role().equals("assistant")) {
        throw ApiError.invalid(
            "messages", "continue_final_message needs the last message to be the assistant's");
      }
      prefix = last.content();
      context = messages.subList(0, messages.size() - 1);
      generationPrompt = true; // the prefix is the start of the assistant turn that prompt opens
    }
    String prompt;
    try {
      prompt = model.model().chatTemplate().render(context, generationPrompt);
    } catch (RuntimeException e) {
      throw ApiError.invalid(
          "messages", "the model's chat template cannot render these messages: " + e.getMessage());
    }
    return call(body, model, prompt, prefix, true, options);
  }

  private static CompletionCall call(
      JsonNode body,
      ServedModel model,
      String prompt,
      String prefix,
      boolean chat,
      ServerOptions options) {
    Integer n = integer(body, "n");
    if (n != null && n != 1) {
      throw ApiError.unsupported("n", "only n=1 is supported; send " + n + " requests instead");
    }
    Integer bestOf = integer(body, "best_of");
    if (bestOf != null && bestOf != 1) {
      throw ApiError.unsupported("best_of", "only best_of=1 is supported");
    }
    rejectSet(body, "logprobs", "logprobs are not supported");
    rejectSet(body, "top_logprobs", "top_logprobs are not supported");
    rejectSet(body, "logit_bias", "logit_bias is not supported");
    rejectSet(
        body, "presence_penalty", "presence_penalty is not supported; use repetition_penalty");
    rejectSet(
        body, "frequency_penalty", "frequency_penalty is not supported; use repetition_penalty");
    // vLLM's sampling extensions this server does not honour: refused, never silently ignored.
    for (String field : UNSUPPORTED_EXTENSIONS) {
      rejectSet(body, field, field + " is not supported");
    }

    String maxTokensField =
        chat && isSet(body.get("max_completion_tokens")) ? "max_completion_tokens" : "max_tokens";
    Integer maxTokens = integer(body, maxTokensField);
    if (maxTokens != null && maxTokens < 1) {
      throw ApiError.invalid(maxTokensField, maxTokensField + " must be at least 1");
    }
    Double temperature = number(body, "temperature");
    if (temperature != null && temperature < 0) {
      throw ApiError.invalid("temperature", "temperature must be 0 or more");
    }
    Double topP = number(body, "top_p");
    if (topP != null && (topP <= 0 || topP > 1)) {
      throw ApiError.invalid("top_p", "top_p must be in (0, 1]");
    }
    Integer topK = integer(body, "top_k");
    if (topK != null && topK < -1) {
      throw ApiError.invalid("top_k", "top_k must be -1 or 0 (off) or positive");
    }
    Double repetition = number(body, "repetition_penalty");
    if (repetition != null && repetition <= 0) {
      throw ApiError.invalid("repetition_penalty", "repetition_penalty must be positive");
    }
    Long seed = longInteger(body, "seed");
    SamplingParams sampling =
        new SamplingParams(
            temperature == null ? 1f : temperature.floatValue(),
            topK == null || topK < 0 ? 0 : topK,
            topP == null ? 1f : topP.floatValue(),
            repetition == null ? 1f : repetition.floatValue(),
            seed == null ? ThreadLocalRandom.current().nextLong() : seed);
    boolean stream = bool(body, "stream", false);
    JsonNode streamOptions = body.get("stream_options");
    if (isSet(streamOptions) && !streamOptions.isObject()) {
      throw ApiError.invalid("stream_options", "stream_options must be an object");
    }
    boolean includeUsage = isSet(streamOptions) && bool(streamOptions, "include_usage", false);
    List<String> stops = stops(body.get("stop"));
    int budget = tokenBudget(model, prompt + prefix, chat, maxTokensField, maxTokens, options);
    GenerationRequest request =
        new GenerationRequest(prompt, prefix, sampling, budget, stops, model.adapterForRequest());
    return new CompletionCall(model, request, chat, stream, includeUsage);
  }

  /** Refuses text longer than any prompt that fits the model's context, before tokenizing it. */
  private static void checkChars(ServedModel model, long chars, String field) {
    long limit = model.model().maxPromptChars();
    if (chars > limit) {
      throw ApiError.invalid(
          field,
          "The "
              + field
              + " has "
              + chars
              + " characters; this model's context of "
              + model.model().contextLength()
              + " tokens holds at most "
              + limit
              + " characters of text. Please reduce the length of the "
              + field
              + ".");
    }
  }

  /**
   * The request's max_tokens checked against the context, as OpenAI and vLLM do: a prompt that
   * fills the context, or a max_tokens that does not fit beside the prompt, is refused; with no
   * max_tokens the reply may use what the prompt leaves (up to the server's default).
   */
  private static int tokenBudget(
      ServedModel model,
      String fullPrompt,
      boolean chat,
      String field,
      Integer maxTokens,
      ServerOptions options) {
    int context = model.model().contextLength();
    if (context <= 0) {
      return maxTokens == null ? options.defaultMaxTokens() : maxTokens;
    }
    String promptField = chat ? "messages" : "prompt";
    if (maxTokens != null && maxTokens >= context) {
      throw ApiError.invalid(
          field,
          field
              + " is "
              + maxTokens
              + " but this model's maximum context length is "
              + context
              + " tokens (prompt and completion together).");
    }
    checkChars(model, fullPrompt.length(), promptField);
    int promptTokens = model.model().promptTokens(fullPrompt);
    if (promptTokens < 0) {
      return maxTokens == null ? options.defaultMaxTokens() : maxTokens;
    }
    if (promptTokens >= context) {
      throw ApiError.invalid(
          promptField,
          "This model's maximum context length is "
              + context
              + " tokens. However, your "
              + promptField
              + " resulted in "
              + promptTokens
              + " tokens. Please reduce the length of the "
              + promptField
              + ".");
    }
    if (maxTokens == null) {
      return Math.min(options.defaultMaxTokens(), context - promptTokens);
    }
    if (promptTokens + maxTokens > context) {
      throw ApiError.invalid(
          field,
          "This model's maximum context length is "
              + context
              + " tokens. However, you requested "
              + (promptTokens + maxTokens)
              + " tokens ("
              + promptTokens
              + " in the "
              + promptField
              + ", "
              + maxTokens
              + " in the completion). Please reduce the length of the "
              + promptField
              + " or "
              + field
              + ".");
    }
    return maxTokens;
  }

  static ServedModel model(JsonNode body, ModelCatalog catalog) {
    JsonNode model = body.get("model");
    if (!isSet(model)) {
      throw ApiError.invalid("model", "you must provide a model parameter");
    }
    if (!model.isTextual()) {
      throw ApiError.invalid("model", "model must be a string");
    }
    return catalog.find(model.asText()).orElseThrow(() -> ApiError.unknownModel(model.asText()));
  }

  private static String prompt(JsonNode prompt) {
    if (!isSet(prompt)) {
      throw ApiError.invalid("prompt", "you must provide a prompt");
    }
    if (prompt.isTextual()) {
      return prompt.asText();
    }
    if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      return prompt.get(0).asText();
    }
    if (prompt.isArray() && prompt.size() > 1) {
      throw ApiError.unsupported(
          "prompt", "one prompt per request is supported; send the prompts separately");
    }
    throw ApiError.invalid("prompt", "prompt must be a string (token arrays are not supported)");
  }

  private static List<ChatMessage> messages(JsonNode messages) {
    if (!isSet(messages)) {
      throw ApiError.invalid("messages", "you must provide messages");
    }
    if (!messages.isArray() || messages.isEmpty()) {
      throw ApiError.invalid("messages", "messages must be a non-empty array");
    }
    List<ChatMessage> result = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String param = "messages[" + i + "]";
      if (!message.isObject()) {
        throw ApiError.invalid(param, param + " must be an object with role and content");
      }
      JsonNode role = message.get("role");
      if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
        throw ApiError.invalid(param + ".role", param + ".role must be one of " + ROLES);
      }
      result.add(
          new ChatMessage(role.asText(), content(message.get("content"), param + ".content")));
    }
    return result;
  }

  /** A string, or an array of text parts. */
  private static String content(JsonNode content, String param) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    if (content.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : content) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ApiError.unsupported(param, "only text content parts are supported");
        }
        text.append(part.get("text").asText());
      }
      return text.toString();
    }
    throw ApiError.invalid(param, param + " must be a string or an array of text parts");
  }

  private static List<String> stops(JsonNode stop) {
    if (!isSet(stop)) {
      return List.of();
    }
    List<String> stops = new ArrayList<>();
    if (stop.isTextual()) {
      stops.add(stop.asText());
    } else if (stop.isArray()) {
      for (JsonNode item : stop) {
        if (!item.isTextual()) {
          throw ApiError.invalid("stop", "stop must be a string or an array of strings");
        }
        stops.add(item.asText());
      }
    } else {
      throw ApiError.invalid("stop", "stop must be a string or an array of strings");
    }
    if (stops.stream().anyMatch(String::isEmpty)) {
      throw ApiError.invalid("stop", "stop strings must not be empty");
    }
    return stops;
  }

  private static boolean isSet(JsonNode node) {
    return node != null && !node.isNull();
  }

  /** Refuses a field set to anything but null, false, 0, "" or an empty array/object. */
  private static void rejectSet(JsonNode body, String field, String message) {
    JsonNode value = body.get(field);
    boolean set =
        isSet(value)
            && !(value.isBoolean() && !value.asBoolean())
            && !(value.isNumber() && value.asDouble() == 0)
            && !(value.isTextual() && value.asText().isEmpty())
            && !(value.isContainerNode() && value.isEmpty());
    if (set) {
      throw ApiError.unsupported(field, message);
    }
  }

  private static boolean bool(JsonNode body, String field, boolean fallback) {
    JsonNode value = body.get(field);
    if (!isSet(value)) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw ApiError.invalid(field, field + " must be a boolean");
    }
    return value.asBoolean();
  }

  private static Double number(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (!isSet(value)) {
      return null;
    }
    if (!value.isNumber()) {
      throw ApiError.invalid(field, field + " must be a number");
    }
    return value.asDouble();
  }

  private static Integer integer(JsonNode body, String field) {
    Long value = longInteger(body, field);
    if (value != null && (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)) {
      throw ApiError.invalid(field, field + " is out of range");
    }
    return value == null ? null : value.intValue();
  }

  private static Long longInteger(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (!isSet(value)) {
      return null;
    }
    boolean integral =
        value.isIntegralNumber()
            || (value.isNumber() && value.asDouble() == Math.rint(value.asDouble()));
    if (!integral || !value.canConvertToLong()) {
      throw ApiError.invalid(field, field + " must be an integer");
    }
    return value.asLong();
  }
}
