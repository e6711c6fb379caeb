package selflengthen.workers.registrar;

import io.temporal.failure.ApplicationFailure;
import java.util.ServiceLoader;
import selflengthen.model.api.Trainer;

/**
 * The in-process trainer of this build: the first {@link Trainer} service on the class path
 * (a META-INF/services/selflengthen.model.api.Trainer entry of the model module), looked up when a
 * train activity first needs it.
 */
final class InProcessTrainers {
  static final String UNAVAILABLE = "TrainerUnavailable";

  private static volatile Trainer found;

  private InProcessTrainers() {}

  /**
   * @throws ApplicationFailure non-retryable when the build has no trainer: no retry on this worker
   *     can train, the train queue needs a worker built with one
   */
  static Trainer find() {
    Trainer t = found;
    if (t == null) {
      synchronized (InProcessTrainers.class) {
        if (found == null) {
          found = ServiceLoader.load(Trainer.class).findFirst()
              .orElseThrow(() -> ApplicationFailure.newNonRetryableFailure(
                  "this worker has no in-process trainer: no " + Trainer.class.getName()
                      + " service on its class path (META-INF/services)", UNAVAILABLE));
        }
        t = found;
      }
    }
    return t;
  }
}
