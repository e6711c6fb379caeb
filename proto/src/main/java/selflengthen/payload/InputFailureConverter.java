package selflengthen.payload;

import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.FailureConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.DefaultFailureConverter;

/**
 * The SDK's failure converter, except that an {@link InvalidPayloadException} becomes a
 * non-retryable application failure of type {@link #TYPE}: an input that does not decode will not
 * decode on a retry either, even under a workflow retry policy.
 */
final class InputFailureConverter implements FailureConverter {
  /** The failure type a run started with an undecodable input fails with. */
  static final String TYPE = "InvalidInput";

  private final DefaultFailureConverter delegate = new DefaultFailureConverter();

  @Override
  public RuntimeException failureToException(Failure failure, DataConverter dataConverter) {
    return delegate.failureToException(failure, dataConverter);
  }

  @Override
  public Failure exceptionToFailure(Throwable e, DataConverter dataConverter) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof InvalidPayloadException invalid) {
        return delegate.exceptionToFailure(
            ApplicationFailure.newNonRetryableFailure(invalid.getMessage(), TYPE), dataConverter);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return delegate.exceptionToFailure(e, dataConverter);
  }
}
