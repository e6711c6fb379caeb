package selflengthen.store;

/**
 * A path that would leave the data root ({@code ..}, an absolute path, a symbolic link pointing out).
 * Bad input, never worth a retry: activities report it as a non-retryable failure.
 */
public class UnsafePathException extends StoreException {
  public UnsafePathException(String message) {
    super(message);
  }
}
