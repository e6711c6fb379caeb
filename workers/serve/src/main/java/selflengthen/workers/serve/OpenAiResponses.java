package selflengthen.workers.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationResult;

/** OpenAI response bodies and stream chunks. */
final class OpenAiResponses {
  private final ObjectMapper json;

  OpenAiResponses(ObjectMapper json) {
    this.json = json;
  }

  ObjectNode error(ApiError e) {
    ObjectNode root = json.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", e.getMessage());
    error.put("type", e.type);
    error.put("param", e.param);
    error.put("code", e.code);
    return root;
  }

  ObjectNode models(List<ServedModel> models, long created) {
    ObjectNode root = json.createObjectNode().put("object", "list");
    models.forEach(model -> root.withArray("data").add(model(model, created)));
    return root;
  }

  ObjectNode model(ServedModel model, long created) {
    return json.createObjectNode()
        .put("id", model.name())
        .put("object", "model")
        .put("created", created)
        .put("owned_by", "selflengthen")
        .put("root", model.isAdapter() ? model.adapter().toString() : model.model().name())
        .put("parent", model.parent());
  }

  /** A whole (not streamed) completion or chat completion. */
  ObjectNode completion(CompletionCall call, GenerationResult result, String id, long created) {
    ObjectNode root =
        header(call, id, created, call.chat() ? "chat.completion" : "text_completion");
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    if (call.chat()) {
      choice.putObject("message").put("role", "assistant").put("content", result.text());
    } else {
      choice.put("text", result.text());
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason(result.finishReason()));
    root.set("usage", usage(result));
    return root;
  }

  /** A stream chunk with {@code text} (null: none) and {@code finish} (null while generating). */
  ObjectNode chunk(
      CompletionCall call, String id, long created, String role, String text, FinishReason finish) {
    ObjectNode root =
        header(call, id, created, call.chat() ? "chat.completion.chunk" : "text_completion");
    ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
    if (call.chat()) {
      ObjectNode delta = choice.putObject("delta");
      if (role != null) {
        delta.put("role", role);
      }
      if (text != null) {
        delta.put("content", text);
      }
    } else {
      choice.put("text", text == null ? "" : text);
    }
    choice.putNull("logprobs");
    if (finish == null) {
      choice.putNull("finish_reason");
    } else {
      choice.put("finish_reason", finishReason(finish));
    }
    return root;
  }

  /** The last chunk asked for by stream_options.include_usage: no choices, only usage. */
  ObjectNode usageChunk(CompletionCall call, String id, long created, GenerationResult result) {
    ObjectNode root =
        header(call, id, created, call.chat() ? "chat.completion.chunk" : "text_completion");
    root.putArray("choices");
    root.set("usage", usage(result));
    return root;
  }

  private ObjectNode header(CompletionCall call, String id, long created, String object) {
    return json.createObjectNode()
        .put("id", id)
        .put("object", object)
        .put("created", created)
        .put("model", call.model().name());
  }

  private ObjectNode usage(GenerationResult result) {
    return json.createObjectNode()
        .put("prompt_tokens", result.promptTokens())
        .put("completion_tokens", result.completionTokens())
        .put("total_tokens", result.promptTokens() + result.completionTokens());
  }

  private static String finishReason(FinishReason reason) {
    return reason == FinishReason.LENGTH ? "length" : "stop";
  }
}
