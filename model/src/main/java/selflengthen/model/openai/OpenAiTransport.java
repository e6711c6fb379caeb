package selflengthen.model.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs JSON to an endpoint with a bound on requests in flight and bounded retries. Retries 408,
 * 429, 5xx, connection failures and timeouts; any other status fails at once. A permit is held only
 * while a request is on the wire, not while waiting to retry.
 */
final class OpenAiTransport {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiTransport.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OpenAiClientConfig config;
  private final HttpClient http;
  private final Semaphore permits;
  private final Random jitter = new Random();

  OpenAiTransport(OpenAiClientConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .build();
    this.permits = new Semaphore(config.maxConcurrency(), true);
  }

  /** One failed attempt: HTTP status (0 without a response), what went wrong, the server's hint. */
  private record Failure(
      int status, String detail, boolean retryable, Duration retryAfter, Throwable cause) {}

  /** The body of a 2xx reply to a POST of {@code json} to {@code path} (e.g. "/completions"). */
  String post(String path, String json) {
    URI uri = URI.create(config.baseUrl() + path);
    int maxAttempts = config.retry().maxAttempts();
    for (int attempt = 1; ; attempt++) {
      Object outcome = attempt(uri, json, attempt);
      if (outcome instanceof String body) {
        return body;
      }
      Failure failure = (Failure) outcome;
      if (!failure.retryable() || attempt >= maxAttempts) {
        String tries = attempt == 1 ? "" : " after " + attempt + " attempts";
        throw new OpenAiException(
            "POST " + uri + " failed" + tries + ": " + failure.detail(),
            failure.status(),
            attempt,
            failure.cause());
      }
      Duration wait = config.retry().delayBeforeRetry(attempt, failure.retryAfter(), jitter);
      LOG.warn(
          "POST {} failed ({}); retry {}/{} in {} ms",
          uri,
          failure.detail(),
          attempt,
          maxAttempts - 1,
          wait.toMillis());
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OpenAiException(
            "POST " + uri + " interrupted while waiting to retry", failure.status(), attempt, e);
      }
    }
  }

  /** A String body on success, else a {@link Failure}. */
  private Object attempt(URI uri, String json, int attempt) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(config.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
    if (config.apiKey() != null) {
      request.header("Authorization", config.apiKey().authorizationHeader());
    }
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OpenAiException(
          "POST " + uri + " interrupted while waiting for a free connection slot", 0, attempt, e);
    }
    CompletableFuture<HttpResponse<String>> reply = null;
    try {
      reply =
          http.sendAsync(
              request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      // The future bounds the whole exchange, body included (a streamed body can take minutes).
      HttpResponse<String> response =
          reply.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
      int status = response.statusCode();
      if (status / 100 == 2) {
        return response.body();
      }
      boolean retryable = status == 408 || status == 429 || status >= 500;
      return new Failure(
          status,
          "HTTP " + status + ": " + errorMessage(response.body()),
          retryable,
          retryAfter(response),
          null);
    } catch (TimeoutException e) {
      reply.cancel(true);
      return new Failure(
          0,
          "no complete reply within " + config.requestTimeout().toSeconds() + " s",
          true,
          null,
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        return new Failure(0, describe(cause), true, null, cause);
      }
      throw new OpenAiException("POST " + uri + " failed: " + describe(cause), 0, attempt, cause);
    } catch (InterruptedException e) {
      reply.cancel(true);
      Thread.currentThread().interrupt();
      throw new OpenAiException("POST " + uri + " interrupted", 0, attempt, e);
    } finally {
      permits.release();
    }
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }

  /** The message of an OpenAI-style error body, FastAPI's detail, or the start of the body. */
  static String errorMessage(String body) {
    if (body == null || body.isBlank()) {
      return "(empty body)";
    }
    try {
      JsonNode root = JSON.readTree(body);
      for (JsonNode candidate :
          new JsonNode[] {
            root.path("error").path("message"),
            root.path("message"),
            root.path("detail"),
            root.path("error")
          }) {
        if (candidate.isTextual() && !candidate.asText().isBlank()) {
          return candidate.asText();
        }
      }
    } catch (IOException notJson) {
      // fall through to the raw text
    }
    String text = body.strip();
    return text.length() > 300 ? text.substring(0, 300) + "..." : text;
  }

  /** retry-after-ms (OpenAI) or Retry-After in seconds or as an HTTP date. */
  private static Duration retryAfter(HttpResponse<?> response) {
    Optional<String> millis = response.headers().firstValue("retry-after-ms");
    if (millis.isPresent()) {
      try {
        return Duration.ofMillis((long) Double.parseDouble(millis.get().strip()));
      } catch (NumberFormatException ignored) {
        // try Retry-After
      }
    }
    Optional<String> value = response.headers().firstValue("retry-after");
    if (value.isEmpty()) {
      return null;
    }
    String text = value.get().strip();
    try {
      return Duration.ofMillis((long) (Double.parseDouble(text) * 1000));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until =
            Duration.between(
                ZonedDateTime.now(),
                ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME));
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException unreadable) {
        return null;
      }
    }
  }
}
