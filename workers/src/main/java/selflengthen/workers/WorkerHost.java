package selflengthen.workers;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of one process: one Temporal worker per polled task queue, filled by a
 * {@link WorkerRegistrar}. {@link #start} is the one place workers are built.
 */
public final class WorkerHost {
  private static final Logger log = LoggerFactory.getLogger(WorkerHost.class);

  private final WorkerFactory factory;
  private final WorkerContext context;
  private final WorkerRegistrar registrar;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private WorkerHost(WorkerFactory factory, WorkerContext context, WorkerRegistrar registrar) {
    this.factory = factory;
    this.context = context;
    this.registrar = registrar;
  }

  /**
   * The registrars on the class path (META-INF/services/selflengthen.workers.WorkerRegistrar),
   * applied in turn on every queue.
   *
   * @throws IllegalStateException when there is none
   */
  public static WorkerRegistrar defaultRegistrar() {
    List<WorkerRegistrar> found = new ArrayList<>();
    ServiceLoader.load(WorkerRegistrar.class).forEach(found::add);
    if (found.isEmpty()) {
      throw new IllegalStateException("no WorkerRegistrar on the class path: this build has no"
          + " workflows or activities to serve (a META-INF/services/"
          + WorkerRegistrar.class.getName() + " entry provides them)");
    }
    return new WorkerRegistrar() {
      @Override
      public void register(String queue, Worker worker, WorkerContext ctx) {
        found.forEach(r -> r.register(queue, worker, ctx));
      }

      @Override
      public void close() {
        found.forEach(WorkerHost::closeQuietly);
      }
    };
  }

  private static void closeQuietly(WorkerRegistrar registrar) {
    try {
      registrar.close();
    } catch (RuntimeException e) {
      log.warn("closing {}: {}", registrar.getClass().getName(), e.toString());
    }
  }

  /**
   * Options of every worker. Against the in-memory server, a workflow whose last worker died
   * would wait forever on that worker's sticky queue (platform.md): a zero sticky
   * schedule-to-start timeout sends its next task to the normal queue at once.
   */
  static WorkerOptions workerOptions(int slots, boolean inMemoryServer) {
    WorkerOptions.Builder b =
        WorkerOptions.newBuilder()
            .setMaxConcurrentActivityExecutionSize(slots)
            .setMaxConcurrentLocalActivityExecutionSize(slots)
            // Running activities keep heartbeating while the process drains on shutdown.
            .setAllowActivityHeartbeatDuringShutdown(true);
    if (inMemoryServer) {
      b.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    return b.build();
  }

  /** Builds one worker per queue of the context, registers them and starts polling. */
  public static WorkerHost start(WorkerContext context, WorkerRegistrar registrar, boolean inMemoryServer) {
    if (context.slots() < 1) {
      throw new IllegalArgumentException("slots must be at least 1 (got " + context.slots() + ")");
    }
    WorkerFactory factory = WorkerFactory.newInstance(context.client());
    WorkerOptions options = workerOptions(context.slots(), inMemoryServer);
    try {
      for (String queue : context.queues()) {
        Worker worker = factory.newWorker(queue, options);
        registrar.register(queue, worker, context);
      }
      factory.start();
    } catch (RuntimeException e) {
      factory.shutdownNow();
      closeQuietly(registrar);
      throw e;
    }
    log.info("polling {} ({} slots each{})", context.queues(), context.slots(),
        inMemoryServer ? ", in-memory server" : "");
    return new WorkerHost(factory, context, registrar);
  }

  public WorkerContext context() {
    return context;
  }

  public WorkerFactory factory() {
    return factory;
  }

  /**
   * Stops polling, lets running tasks finish for up to {@code grace}, then interrupts what is
   * left. Unfinished activities are retried elsewhere after their timeouts; idempotent activities
   * continue from what they committed to the store.
   *
   * @return true when everything finished within the grace period
   */
  public boolean shutdown(Duration grace) {
    try {
      factory.shutdown();
      factory.awaitTermination(Math.max(grace.toMillis(), 1), TimeUnit.MILLISECONDS);
      if (factory.isTerminated()) {
        return true;
      }
      log.warn("activities still running after {}s: interrupting them", grace.toSeconds());
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
      return false;
    } finally {
      // After the activities: nothing uses what the registrar built any more.
      closeQuietly(registrar);
      stopped.countDown();
    }
  }

  /** Blocks until {@link #shutdown} has finished. */
  public void awaitTermination() throws InterruptedException {
    stopped.await();
  }
}
