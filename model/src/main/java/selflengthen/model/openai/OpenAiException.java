package selflengthen.model.openai;

/**
 * A request to an OpenAI-compatible endpoint failed for good: a refused request (4xx), or a
 * retryable failure (429, 5xx, connection error) that outlived the retry policy. {@code status} is
 * the last HTTP status, or 0 when no response arrived.
 */
public final class OpenAiException extends RuntimeException {
  private final int status;
  private final int attempts;

  public OpenAiException(String message, int status, int attempts, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.attempts = attempts;
  }

  public int status() {
    return status;
  }

  public int attempts() {
    return attempts;
  }
}
