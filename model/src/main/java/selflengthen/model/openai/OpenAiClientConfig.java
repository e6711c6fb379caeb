package selflengthen.model.openai;

import java.net.URI;
import java.time.Duration;
import selflengthen.model.api.ChatTemplate;

/**
 * How to reach an OpenAI-compatible endpoint.
 *
 * <p>{@code baseUrl} ends with the API version (e.g. {@code http://127.0.0.1:8000/v1}); {@code
 * model} is the served model or adapter name used when a request names no adapter. {@code apiKey}
 * may be null (no Authorization header). {@code chatTemplate} may be null: servers do not publish
 * their chat template, so whoever builds the client passes the checkpoint's template when the
 * caller renders prompts itself (the Extender's forced-prefix continuation); without one, chat with
 * a forced prefix goes through {@code continue_final_message} instead. {@code stream} asks for SSE
 * replies, which keep bytes flowing through proxies that cut idle connections during long
 * generations; the reply is still returned whole.
 */
public record OpenAiClientConfig(
    URI baseUrl,
    String model,
    ApiKey apiKey,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxConcurrency,
    RetryPolicy retry,
    ChatTemplate chatTemplate,
    boolean stream) {

  public OpenAiClientConfig {
    if (baseUrl == null
        || baseUrl.getScheme() == null
        || baseUrl.getHost() == null
        || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https"))) {
      throw new IllegalArgumentException(
          "endpoint must be an http(s) URL such as http://127.0.0.1:8000/v1, got " + baseUrl);
    }
    String text = baseUrl.toString();
    baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    if (model == null || model.isBlank()) {
      throw new IllegalArgumentException("the endpoint's model name is required");
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException(
          "maxConcurrency must be at least 1, got " + maxConcurrency);
    }
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
    if (retry == null) {
      retry = RetryPolicy.defaults();
    }
  }

  /**
   * Defaults of the run spec's ModelRef: 16 concurrent requests, 600 s per request, 10 s to
   * connect.
   */
  public static OpenAiClientConfig of(String baseUrl, String model) {
    return new OpenAiClientConfig(
        URI.create(baseUrl),
        model,
        null,
        Duration.ofSeconds(10),
        Duration.ofSeconds(600),
        16,
        RetryPolicy.defaults(),
        null,
        false);
  }

  public OpenAiClientConfig withApiKey(ApiKey key) {
    return new OpenAiClientConfig(
        baseUrl,
        model,
        key,
        connectTimeout,
        requestTimeout,
        maxConcurrency,
        retry,
        chatTemplate,
        stream);
  }

  public OpenAiClientConfig withTimeouts(Duration connect, Duration request) {
    return new OpenAiClientConfig(
        baseUrl, model, apiKey, connect, request, maxConcurrency, retry, chatTemplate, stream);
  }

  public OpenAiClientConfig withMaxConcurrency(int limit) {
    return new OpenAiClientConfig(
        baseUrl, model, apiKey, connectTimeout, requestTimeout, limit, retry, chatTemplate, stream);
  }

  public OpenAiClientConfig withRetry(RetryPolicy policy) {
    return new OpenAiClientConfig(
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        requestTimeout,
        maxConcurrency,
        policy,
        chatTemplate,
        stream);
  }

  public OpenAiClientConfig withChatTemplate(ChatTemplate template) {
    return new OpenAiClientConfig(
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        requestTimeout,
        maxConcurrency,
        retry,
        template,
        stream);
  }

  public OpenAiClientConfig withStream(boolean streamReplies) {
    return new OpenAiClientConfig(
        baseUrl,
        model,
        apiKey,
        connectTimeout,
        requestTimeout,
        maxConcurrency,
        retry,
        chatTemplate,
        streamReplies);
  }

  @Override
  public String toString() {
    return "OpenAiClientConfig[baseUrl="
        + baseUrl
        + ", model="
        + model
        + ", apiKey="
        + (apiKey == null ? "none" : apiKey.source())
        + ", maxConcurrency="
        + maxConcurrency
        + ", requestTimeout="
        + requestTimeout
        + ", retry="
        + retry
        + ", stream="
        + stream
        + "]";
  }
}
