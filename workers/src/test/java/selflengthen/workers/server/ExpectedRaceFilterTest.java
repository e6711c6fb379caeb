package selflengthen.workers.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class ExpectedRaceFilterTest {
  private final LoggerContext context = new LoggerContext();
  private final ExpectedRaceFilter filter = new ExpectedRaceFilter();

  @Test
  void onlyTheNotFoundSignalRaceIsDropped() {
    var server = context.getLogger(ExpectedRaceFilter.SERVER_LOGGER);
    assertEquals(FilterReply.DENY, filter.decide(null, server, Level.ERROR, ExpectedRaceFilter.MESSAGE, null,
        Status.NOT_FOUND.withDescription("workflow not found").asRuntimeException()));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, server, Level.ERROR, ExpectedRaceFilter.MESSAGE, null,
        Status.INTERNAL.asRuntimeException()));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, server, Level.ERROR, "something else", null,
        Status.NOT_FOUND.asRuntimeException()));
    assertEquals(FilterReply.NEUTRAL, filter.decide(null, context.getLogger("other"), Level.ERROR,
        ExpectedRaceFilter.MESSAGE, null, Status.NOT_FOUND.asRuntimeException()));
  }
}
