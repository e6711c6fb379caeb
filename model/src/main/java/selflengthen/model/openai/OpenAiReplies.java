package selflengthen.model.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationResult;

/** Reads completion and chat-completion replies, whole JSON or SSE streams, into results. */
final class OpenAiReplies {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OpenAiReplies() {}

  static GenerationResult fromJson(String body, boolean chat, String source) {
    JsonNode root = parse(body, source);
    JsonNode choice = root.path("choices").path(0);
    if (!choice.isObject()) {
      throw malformed(source, "no choices in " + abbreviate(body));
    }
    JsonNode text = chat ? choice.path("message").path("content") : choice.path("text");
    if (!text.isTextual() && !text.isNull()) {
      throw malformed(
          source, "no " + (chat ? "message.content" : "text") + " in " + abbreviate(body));
    }
    JsonNode usage = root.path("usage");
    return new GenerationResult(
        text.isNull() ? "" : text.asText(),
        usage.path("prompt_tokens").asInt(0),
        usage.path("completion_tokens").asInt(0),
        finishReason(choice.path("finish_reason")),
        new int[0]);
  }

  /** An SSE body: {@code data: {chunk}} events up to {@code data: [DONE]}. */
  static GenerationResult fromStream(String body, boolean chat, String source) {
    StringBuilder text = new StringBuilder();
    JsonNode finish = null;
    JsonNode usage = null;
    boolean done = false;
    for (String line : (Iterable<String>) body.lines()::iterator) {
      if (!line.startsWith("data:")) {
        continue; // blank separators, ": keep-alive" comments, event names
      }
      String data = line.substring(5).strip();
      if (data.equals("[DONE]")) {
        done = true;
        break;
      }
      JsonNode chunk = parse(data, source);
      if (chunk.has("error")) {
        throw new OpenAiException(
            source + " failed while streaming: " + OpenAiTransport.errorMessage(data), 0, 1, null);
      }
      JsonNode choice = chunk.path("choices").path(0);
      JsonNode piece = chat ? choice.path("delta").path("content") : choice.path("text");
      if (piece.isTextual()) {
        text.append(piece.asText());
      }
      if (choice.hasNonNull("finish_reason")) {
        finish = choice.get("finish_reason");
      }
      if (chunk.hasNonNull("usage")) {
        usage = chunk.get("usage");
      }
    }
    if (!done) {
      throw malformed(source, "stream ended without data: [DONE]");
    }
    return new GenerationResult(
        text.toString(),
        usage == null ? 0 : usage.path("prompt_tokens").asInt(0),
        usage == null ? 0 : usage.path("completion_tokens").asInt(0),
        finishReason(finish),
        new int[0]);
  }

  /** "length" means the token budget ran out; everything else ("stop", "abort", ...) is a stop. */
  static FinishReason finishReason(JsonNode reason) {
    return reason != null && "length".equals(reason.asText())
        ? FinishReason.LENGTH
        : FinishReason.STOP;
  }

  private static JsonNode parse(String json, String source) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw malformed(source, "reply is not JSON: " + abbreviate(json));
    }
  }

  private static OpenAiException malformed(String source, String detail) {
    return new OpenAiException(source + " gave a malformed reply: " + detail, 200, 1, null);
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
