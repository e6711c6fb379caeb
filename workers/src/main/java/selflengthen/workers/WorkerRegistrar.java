package selflengthen.workers;

import io.temporal.worker.Worker;

/**
 * What a worker process serves on each task queue it polls: registers workflow and activity
 * implementations on the queue's {@link Worker}. Called once per polled queue before polling
 * starts. The CLI serves the project's
 * registrar (package {@code registrar}); tests pass their own.
 */
@FunctionalInterface
public interface WorkerRegistrar {
  void register(String queue, Worker worker, WorkerContext context);

  /**
   * Called once after the process's workers have stopped ({@link WorkerHost#shutdown}, or a failed
   * {@link WorkerHost#start}): releases what {@link #register} built, such as loaded models.
   */
  default void close() {}
}
