package selflengthen.workflows;

import io.temporal.failure.ApplicationFailure;

/** Messages of failures that cross workflow boundaries. */
final class Failures {
  private Failures() {}

  /** The innermost application failure's own message (what the failing code said), else the root's. */
  static String rootMessage(Throwable t) {
    String message = t.getMessage();
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ApplicationFailure a) {
        message = a.getOriginalMessage();
      } else if (c.getCause() == null) {
        message = message == null ? c.getMessage() : message;
      }
    }
    return message;
  }
}
