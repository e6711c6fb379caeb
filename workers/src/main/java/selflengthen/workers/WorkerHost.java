package selflengthen.workers;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.support.SpecSnapshots;
import selflengthen.workers.metrics.MetricsInterceptor;
import selflengthen.workers.metrics.WorkerMetrics;

/**
 * The workers of one process: one Temporal worker per polled task queue, filled by a
 * {@link WorkerRegistrar}. {@link #start} is the one place workers are built.
 */
public final class WorkerHost {
  private static final Logger log = LoggerFactory.getLogger(WorkerHost.class);

  /** Long polls held open per queue at most, whatever the slots (each holds a connection stream). */
  static final int MAX_ACTIVITY_POLLERS = 32;

  /** One cache of specs per process, whatever the number of worker hosts. */
  private static final SpecSnapshots SHARED_SPECS = new SpecSnapshots();

  private final WorkerFactory factory;
  private final WorkerContext context;
  private final WorkerRegistrar registrar;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private WorkerHost(WorkerFactory factory, WorkerContext context, WorkerRegistrar registrar) {
    this.factory = factory;
    this.context = context;
    this.registrar = registrar;
  }

  private static void closeQuietly(WorkerRegistrar registrar) {
    try {
      registrar.close();
    } catch (RuntimeException e) {
      log.warn("closing {}: {}", registrar.getClass().getName(), e.toString());
    }
  }

  /** What the workers need to know about their Temporal server. */
  public enum ServerKind {
    /** A real Temporal server: it moves a dead worker's sticky workflow tasks to the normal queue. */
    DURABLE,
    /**
     * Temporal's in-memory server in another process: it would keep a workflow's next task on the
     * sticky queue of a worker that died, forever (seen on the in-memory server). No sticky queues then.
     */
    IN_MEMORY_REMOTE,
    /**
     * The in-memory server in this very process ({@code dev}, benchmarks): it dies with these
     * workers, so their sticky queues cannot outlive them. Sticky execution stays on: without it
     * every workflow task replays the whole history (quadratic in the number of shards).
     */
    IN_MEMORY_HERE
  }

  /**
   * Options of every worker. A zero sticky schedule-to-start timeout turns sticky execution off
   * (the SDK then sends no sticky attributes), so a workflow's next task goes to the normal queue.
   */
  static WorkerOptions workerOptions(int slots, ServerKind server) {
    WorkerOptions.Builder b =
        WorkerOptions.newBuilder()
            .setMaxConcurrentActivityExecutionSize(slots)
            // One waiting poll per slot: a freed slot's next task is handed to a poll already at
            // the server. With the SDK's default of 5 pollers, 16 slots freed together by a wave
            // of shards were refilled 5 at a time, each poller re-polling in turn.
            .setMaxConcurrentActivityTaskPollers(Math.min(slots, MAX_ACTIVITY_POLLERS))
            .setMaxConcurrentLocalActivityExecutionSize(slots)
            // Running activities keep heartbeating while the process drains on shutdown.
            .setAllowActivityHeartbeatDuringShutdown(true);
    if (server == ServerKind.IN_MEMORY_REMOTE) {
      b.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
    }
    return b.build();
  }

  /** {@link #start(WorkerContext, WorkerRegistrar, ServerKind)} for a server in another process. */
  public static WorkerHost start(WorkerContext context, WorkerRegistrar registrar, boolean inMemoryServer) {
    return start(context, registrar, inMemoryServer ? ServerKind.IN_MEMORY_REMOTE : ServerKind.DURABLE);
  }

  /**
   * The worker factory options of every worker (workers built elsewhere, tests' environments, take
   * them too): the interceptors for metrics, store faults, and the spec of stage inputs sent by
   * reference (last: the SDK wraps in list order, so it is outermost and the others see the spec).
   */
  public static WorkerFactoryOptions factoryOptions() {
    return WorkerFactoryOptions.newBuilder()
        .setWorkerInterceptors(
            new MetricsInterceptor(WorkerMetrics.global()),
            new StoreFaultInterceptor(),
            new SpecRefInterceptor(SHARED_SPECS))
        .build();
  }

  /** Builds one worker per queue of the context, registers them and starts polling. */
  public static WorkerHost start(WorkerContext context, WorkerRegistrar registrar, ServerKind server) {
    if (context.slots() < 1) {
      throw new IllegalArgumentException("slots must be at least 1 (got " + context.slots() + ")");
    }
    WorkerFactory factory = WorkerFactory.newInstance(context.client(), factoryOptions());
    WorkerOptions options = workerOptions(context.slots(), server);
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
        server == ServerKind.DURABLE ? "" : ", in-memory server");
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
