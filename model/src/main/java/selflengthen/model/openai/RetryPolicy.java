package selflengthen.model.openai;

import java.time.Duration;
import java.util.Random;

/**
 * Bounded retries with exponential backoff and jitter. The n-th retry waits a random time between
 * half and all of {@code min(maxBackoff, initialBackoff * 2^(n-1))}, so a crowd of workers that was
 * refused at the same moment does not come back at the same moment. A server's Retry-After wins
 * over the computed wait, capped by {@code maxRetryAfter} so a misconfigured server cannot stall a
 * worker for hours.
 */
public record RetryPolicy(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative()
        || maxBackoff.compareTo(initialBackoff) < 0
        || maxRetryAfter.isNegative()) {
      throw new IllegalArgumentException(
          "need 0 <= initialBackoff <= maxBackoff and maxRetryAfter >= 0, got "
              + initialBackoff
              + ", "
              + maxBackoff
              + ", "
              + maxRetryAfter);
    }
  }

  /** 6 attempts, 1 s doubling to 60 s, Retry-After honoured up to 5 minutes. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(5));
  }

  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  /**
   * Wait before retry number {@code retry} (1 for the first retry). {@code retryAfter} is the
   * server's hint, or null.
   */
  public Duration delayBeforeRetry(int retry, Duration retryAfter, Random random) {
    if (retryAfter != null) {
      if (retryAfter.isNegative()) {
        return Duration.ZERO;
      }
      return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
    }
    long ceiling = initialBackoff.toMillis();
    for (int i = 1; i < retry && ceiling < maxBackoff.toMillis(); i++) {
      ceiling *= 2;
    }
    ceiling = Math.min(ceiling, maxBackoff.toMillis());
    long half = ceiling / 2;
    return Duration.ofMillis(half + (long) (random.nextDouble() * (ceiling - half)));
  }
}
