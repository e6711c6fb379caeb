package selflengthen.workers;

import io.temporal.worker.Worker;

/**
 * What a worker process serves on each task queue it polls: registers workflow and activity
 * implementations on the queue's {@link Worker}. Called once per polled queue before polling
 * starts. Production registrars are found with {@link java.util.ServiceLoader} (a
 * META-INF/services/selflengthen.workers.WorkerRegistrar entry); tests pass their own.
 */
@FunctionalInterface
public interface WorkerRegistrar {
  void register(String queue, Worker worker, WorkerContext context);
}
