package selflengthen.workers.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Marker;

/**
 * Drops the in-memory server's ERROR "Failure signalling an external workflow execution" when the
 * cause is NOT_FOUND: a round that finishes while its parent forwards a settings change is the
 * expected race (the workflow sees the failed signal and the next round gets the settings), not an
 * error. Any other signalling failure still logs.
 */
public final class ExpectedRaceFilter extends TurboFilter {
  static final String SERVER_LOGGER = "io.temporal.internal.testservice.TestWorkflowMutableStateImpl";
  static final String MESSAGE = "Failure signalling an external workflow execution";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == Level.ERROR && MESSAGE.equals(format) && SERVER_LOGGER.equals(logger.getName())
        && t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.NOT_FOUND) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
