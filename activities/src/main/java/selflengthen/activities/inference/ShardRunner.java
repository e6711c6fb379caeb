package selflengthen.activities.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.activities.RunPaths;
import selflengthen.activities.support.ActivityErrors;
import selflengthen.activities.support.Lengths;
import selflengthen.activities.support.Lineages;
import selflengthen.activities.support.RecordedResults;
import selflengthen.store.DataStore;
import selflengthen.store.InputRef;
import selflengthen.store.ModelVersion;
import selflengthen.store.ShardAppender;
import selflengthen.v1.DatasetRef;
import selflengthen.v1.ShardSummary;
import selflengthen.v1.ShardTask;
import selflengthen.v1.StageContext;

/**
 * The machinery every inference shard shares:
 *
 * <ul>
 *   <li>a shard the manifest records complete returns its recorded summary at once;
 *   <li>the units not yet committed run concurrently (up to {@code threads} at once), so their
 *       generation requests reach the engine together and are batched; their rows are committed to
 *       the shard's append-and-commit file in unit order, each durable before the next, so a retry
 *       finds a prefix of the units done and continues after the last committed one;
 *   <li>while waiting it heartbeats (units done, rows) about every poll interval (the SDK throttles
 *       what reaches the server) and stops when a heartbeat throws (the workflow execution closed
 *       or the activity was cancelled) or when the manifest records the stage's merged output (the
 *       stage ended without this shard: straggler cut), leaving the partial file behind;
 *   <li>the finished shard is recorded in the manifest with its sha256, lineage and summary.
 * </ul>
 */
final class ShardRunner {
  private static final Logger log = LoggerFactory.getLogger(ShardRunner.class);

  /** Heartbeat details: units done of the shard's total, rows written. */
  record Progress(long unitsDone, long unitsTotal, long rows) {}

  private final DataStore store;
  private final ShardTask task;
  private final Duration poll;

  ShardRunner(DataStore store, ShardTask task, Duration poll) {
    this.store = store;
    this.task = task;
    this.poll = poll;
  }

  /** The recorded summary when the shard is already complete. */
  Optional<ShardSummary> completed() {
    return RecordedResults.completed(store, task.getOutputPath(), ShardSummary.getDefaultInstance());
  }

  /** The stage's merged output: once recorded, the stage has ended. */
  String stageOutput() {
    if (!task.getStageOutputPath().isEmpty()) {
      return task.getStageOutputPath();
    }
    StageContext c = task.getContext();
    return RunPaths.stageOutput(c.getSpec().getRunId(), c.getRound(), c.getStage());
  }

  boolean stageEnded() {
    String out = stageOutput();
    return store.manifest(task.getContext().getSpec().getRunId()).latest(out).isPresent()
        && store.isComplete(out);
  }

  /**
   * Runs the shard's units and returns its summary.
   *
   * @param units every unit of the shard, in commit order
   * @param threads units in flight at once
   */
  ShardSummary run(
      List<Unit> units, int threads, UnitWork work, List<InputRef> inputs, List<ModelVersion> models) {
    String callId = task.getContext().getCallId();
    if (stageEnded()) {
      throw ActivityErrors.abandoned(callId, stageOutput());
    }
    long attempts = 0;
    long resumed;
    DatasetRef ref;
    List<JsonNode> rows;
    try (ShardAppender appender = store.appender(task.getOutputPath())) {
      List<JsonNode> committed = appender.committedRows();
      resumed = committed.size();
      Unit last = committed.isEmpty() ? null : work.unitOf(committed.get(committed.size() - 1));
      for (JsonNode row : committed) {
        attempts += work.attemptsOf(row);
      }
      List<Unit> pending = units.stream().filter(u -> last == null || u.compareTo(last) > 0).toList();
      if (resumed > 0) {
        log.info("{}: {} rows already committed, {} of {} units left", callId, resumed, pending.size(), units.size());
      }
      attempts += runUnits(appender, pending, units.size() - pending.size(), units.size(), threads, work);
      rows = appender.committedRows();
      ref = appender.finish();
    }
    int[] words = rows.stream().mapToInt(r -> r.path("words").asInt()).toArray();
    ShardSummary summary =
        ShardSummary.newBuilder()
            .setIndex(task.getShard().getIndex())
            .setOutput(ref)
            .setSamplesIn(task.getShard().getRowCount())
            .setSamplesOut(ref.getCount())
            .setLengths(Lengths.of(words))
            .setAttempts(attempts)
            .setAccepted(ref.getCount())
            .setResumedRows(resumed)
            .build();
    RecordedResults.record(
        store,
        ref,
        Lineages.of(task.getContext(), task.getShard().getIndex(), inputs, models),
        summary);
    return summary;
  }

  /** Runs the pending units concurrently, committing in order; returns their attempts. */
  private long runUnits(
      ShardAppender appender, List<Unit> pending, long doneBefore, long total, int threads, UnitWork work) {
    if (pending.isEmpty()) {
      return 0;
    }
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool =
        Executors.newFixedThreadPool(Math.max(1, Math.min(threads, pending.size())), threads(task));
    long attempts = 0;
    long done = doneBefore;
    try {
      List<Future<UnitWork.Outcome>> futures = new ArrayList<>(pending.size());
      for (Unit u : pending) {
        futures.add(pool.submit(() -> work.run(u, stop::get)));
      }
      for (Future<UnitWork.Outcome> f : futures) {
        UnitWork.Outcome o = await(f, done, total, appender);
        if (o.row() != null) {
          appender.append(o.row());
        }
        attempts += o.attempts();
        done++;
        heartbeat(new Progress(done, total, appender.committedCount()));
      }
      return attempts;
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  private UnitWork.Outcome await(
      Future<UnitWork.Outcome> f, long done, long total, ShardAppender appender) {
    while (true) {
      try {
        return f.get(poll.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        heartbeat(new Progress(done, total, appender.committedCount()));
        if (stageEnded()) {
          throw ActivityErrors.abandoned(task.getContext().getCallId(), stageOutput());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(task.getContext().getCallId() + ": interrupted", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) {
          throw r;
        }
        if (c instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(task.getContext().getCallId() + ": " + c.getMessage(), c);
      }
    }
  }

  /**
   * Runs a blocking call that may take long before the shard's first sample (loading a model) on
   * another thread, heartbeating meanwhile so the server does not time the attempt out.
   */
  <T> T heartbeating(Supplier<T> call) {
    CompletableFuture<T> f = CompletableFuture.supplyAsync(call, r -> {
      Thread t = new Thread(r, task.getContext().getCallId() + "#load");
      t.setDaemon(true);
      t.start();
    });
    while (true) {
      try {
        return f.get(poll.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        heartbeat(new Progress(0, 0, 0));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(task.getContext().getCallId() + ": interrupted", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** Throws ActivityCompletionException when the activity must stop (execution closed, cancelled). */
  private static void heartbeat(Progress progress) {
    ActivityExecutionContext ctx;
    try {
      ctx = Activity.getExecutionContext();
    } catch (IllegalStateException e) {
      return; // driven outside an activity
    }
    ctx.heartbeat(progress);
  }

  private static ThreadFactory threads(ShardTask task) {
    String name = task.getContext().getCallId();
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "#" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
