package selflengthen.workers.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The project's own meters, for any code in a worker process to call. In Prometheus:
 *
 * <ul>
 *   <li>{@code selflengthen_tokens_generated_total}: tokens the engine generated ({@code rate()} =
 *       tokens/s);
 *   <li>{@code selflengthen_samples_committed_total{stage}}: samples written to the store by
 *       finished shards ({@code rate()} = samples/s);
 *   <li>{@code selflengthen_stage_shards_done{run,stage}}, {@code selflengthen_stage_shards_planned}
 *       and {@code selflengthen_stage_shards_running}: the current round's progress per stage, as
 *       the run workflow last heard it (on the worker that runs the run's workflow tasks).
 *       ({@code _total} is a counter's suffix in Prometheus, hence "planned".)
 * </ul>
 *
 * <p>{@link #global()} is what workers use; it records into nothing until an endpoint is started
 * ({@link MetricsEndpoint}), so calling it costs next to nothing when metrics are off.
 */
public final class WorkerMetrics {
  public static final String TOKENS = "selflengthen.tokens.generated";
  public static final String SAMPLES = "selflengthen.samples.committed";
  public static final String SHARDS_DONE = "selflengthen.stage.shards.done";
  public static final String SHARDS_PLANNED = "selflengthen.stage.shards.planned";
  public static final String SHARDS_RUNNING = "selflengthen.stage.shards.running";

  private static final WorkerMetrics GLOBAL = new WorkerMetrics(new CompositeMeterRegistry());

  private final MeterRegistry registry;
  private final Counter tokens;
  private final Map<List<String>, AtomicLong> gauges = new ConcurrentHashMap<>();

  public WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.tokens = Counter.builder(TOKENS).description("Tokens generated").register(registry);
  }

  /** The process-wide instance; endpoints add their registries to {@link #registry()}. */
  public static WorkerMetrics global() {
    return GLOBAL;
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void tokensGenerated(long n) {
    tokens.increment(n);
  }

  public void samplesCommitted(String stage, long n) {
    Counter.builder(SAMPLES)
        .description("Samples committed to the store by finished shards")
        .tag("stage", stage)
        .register(registry)
        .increment(n);
  }

  /** The progress of one stage of a run's current round. */
  public void stageProgress(String runId, String stage, long done, long running, long total) {
    gauge(SHARDS_DONE, runId, stage).set(done);
    gauge(SHARDS_RUNNING, runId, stage).set(running);
    gauge(SHARDS_PLANNED, runId, stage).set(total);
  }

  private AtomicLong gauge(String name, String runId, String stage) {
    return gauges.computeIfAbsent(List.of(name, runId, stage), k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, AtomicLong::get)
          .description("Shards of the stage (current round)")
          .tags("run", runId, "stage", stage)
          .register(registry);
      return value;
    });
  }
}
