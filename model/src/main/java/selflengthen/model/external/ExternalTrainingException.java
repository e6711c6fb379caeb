package selflengthen.model.external;

/** The external trainer could not start, failed, was cancelled, or produced no model. */
public final class ExternalTrainingException extends RuntimeException {
  public ExternalTrainingException(String message) {
    super(message);
  }

  public ExternalTrainingException(String message, Throwable cause) {
    super(message, cause);
  }
}
