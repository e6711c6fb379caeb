package selflengthen.workers.eval;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import selflengthen.store.DataStore;
import selflengthen.v1.EvalInput;
import selflengthen.v1.EvalResult;
import selflengthen.v1.EvalStatus;
import selflengthen.v1.RunSpec;
import selflengthen.v1.StageProgress;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.SelfLengthenEval;
import selflengthen.workflows.TaskQueues;

/**
 * Runs one {@link SelfLengthenEval} and waits for it, printing progress: against a Temporal cluster
 * whose workers do the work, or in this process (the in-memory server on 127.0.0.1 and workers for
 * every queue, stopped at the end). Either way the answers and the report land in the data store,
 * and a second call with the same evaluation id answers only what is not there yet.
 */
public final class EvalGeneration {
  private static final Duration POLL = Duration.ofSeconds(2);

  private final PrintWriter out;

  public EvalGeneration(PrintWriter out) {
    this.out = out;
  }

  /** In this process: server, workers (serving what {@code registrar} registers), one evaluation. */
  public EvalResult runEmbedded(RunSpec spec, DataStore store, WorkerRegistrar registrar, int slots)
      throws InterruptedException {
    try (EmbeddedTemporal server = EmbeddedTemporal.start(0);
        TemporalConnection conn =
            TemporalConnection.inProcess(server, ConnectionSettings.plain(server.address(), "default"), Duration.ofSeconds(10))) {
      WorkerHost host =
          WorkerHost.start(
              new WorkerContext(store, slots, TaskQueues.ALL, conn.address(), conn.namespace(), conn.client()),
              registrar,
              WorkerHost.ServerKind.IN_MEMORY_HERE);
      try {
        out.println("eval " + spec.getRunId() + ": Temporal in memory at " + server.address()
            + ", workers in this process (" + slots + " slots per queue)");
        out.flush();
        return run(conn.client(), spec);
      } finally {
        host.shutdown(Duration.ofSeconds(5));
      }
    }
  }

  /**
   * Starts the evaluation (or joins it when one with this id is running) and waits for its result.
   *
   * @throws io.temporal.client.WorkflowFailedException when it fails (bad input, model refused, ...)
   */
  public EvalResult run(WorkflowClient client, RunSpec spec) throws InterruptedException {
    String id = spec.getRunId();
    SelfLengthenEval eval =
        client.newWorkflowStub(
            SelfLengthenEval.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(TaskQueues.CONTROL).build());
    try {
      WorkflowClient.start(eval::run, EvalInput.newBuilder().setSpec(spec).build());
    } catch (WorkflowExecutionAlreadyStarted e) {
      out.println("eval " + id + " is already running: following it");
    }
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    CompletableFuture<EvalResult> done = stub.getResultAsync(EvalResult.class);
    SelfLengthenEval query = client.newWorkflowStub(SelfLengthenEval.class, id);
    long started = System.nanoTime();
    String last = "";
    while (true) {
      try {
        return done.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        last = printProgress(query, started, last);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  private String printProgress(SelfLengthenEval query, long started, String last) {
    String line;
    try {
      line = progressLine(query.status());
    } catch (RuntimeException e) {
      return last; // the query can miss while a task is in flight; the next poll catches up
    }
    if (!line.equals(last)) {
      out.printf(Locale.ROOT, "[%4ds] %s%n", (System.nanoTime() - started) / 1_000_000_000L, line);
      out.flush();
    }
    return line;
  }

  static String progressLine(EvalStatus s) {
    StringBuilder b = new StringBuilder(s.getPhase());
    for (StageProgress p : s.getStagesList()) {
      if (p.getShardsTotal() > 0) {
        b.append(": ").append(p.getShardsDone()).append('/').append(p.getShardsTotal()).append(" shards, ")
            .append(p.getSamples()).append(" answers");
        if (p.getMeanWords() > 0) {
          b.append(String.format(Locale.ROOT, ", mean %.0f words", p.getMeanWords()));
        }
      }
    }
    return b.toString();
  }
}
