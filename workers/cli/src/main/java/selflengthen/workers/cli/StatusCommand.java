package selflengthen.workers.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunStatus;
import selflengthen.workers.TemporalConnection;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show a run's progress: round, stage, shards done per stage, samples, mean words,"
        + " elapsed time and ETA (the workflow's \"status\" query).")
public final class StatusCommand implements Callable<Integer> {
  private static final String CLEAR = "\033[H\033[2J";

  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  @Option(names = "--watch", description = "Redraw until the run closes.")
  boolean watch;

  @Option(names = "--interval", paramLabel = "S", defaultValue = "5",
      description = "Seconds between redraws with --watch (default ${DEFAULT-VALUE}).")
  double interval;

  @Override
  public Integer call() throws InterruptedException {
    if (!(interval > 0)) {
      throw new CliException("--interval must be greater than 0 (got " + interval + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    boolean terminal = System.console() != null;
    try (TemporalConnection conn = client.connect()) {
      while (true) {
        WorkflowExecutionStatus state = Runs.require(conn, runId);
        String text = state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
            ? StatusView.render(query(conn), System.currentTimeMillis()) + retrying(conn)
            : closed(conn, state);
        if (watch && terminal) {
          out.print(CLEAR);
        }
        out.print(text);
        out.flush();
        if (!watch || state != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          return 0;
        }
        if (!terminal) {
          out.println();
        }
        Thread.sleep((long) (interval * 1000));
      }
    }
  }

  private RunStatus query(TemporalConnection conn) {
    try {
      return conn.client().newUntypedWorkflowStub(runId).query("status", RunStatus.class);
    } catch (WorkflowException | StatusRuntimeException e) {
      if (rootStatus(e) == Status.Code.DEADLINE_EXCEEDED) {
        throw new CliException("run '" + runId + "' did not answer the status query in time: is a"
            + " worker polling selflengthen-control?");
      }
      throw e;
    }
  }

  /** Activities failing and waiting for their next attempt, one line each (none: empty). */
  private String retrying(TemporalConnection conn) {
    StringBuilder lines = new StringBuilder();
    RetryingCalls.of(conn, runId).forEach(l -> lines.append(l).append('\n'));
    return lines.toString();
  }

  private static Status.Code rootStatus(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return s.getStatus().getCode();
      }
    }
    return null;
  }

  /** One line on how a closed run ended. */
  private String closed(TemporalConnection conn, WorkflowExecutionStatus state) {
    String head = "run " + runId + " " + Runs.describe(state);
    if (state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED) {
      return head + "\n" + lastStages(conn);
    }
    if (state != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
        && state != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED) {
      return head + "\n";
    }
    WorkflowStub stub = conn.client().newUntypedWorkflowStub(runId);
    try {
      RunResult result = stub.getResult(RunResult.class);
      return head + ": " + result.getRoundsCount() + " rounds"
          + (result.hasLongSet() ? ", " + result.getLongSet().getCount() + " samples in "
              + result.getLongSet().getPath() : "") + "\n";
    } catch (WorkflowException e) {
      return head + ": " + Errors.rootMessage(e) + "\n" + lastStages(conn);
    }
  }

  /**
   * The stages a failed or cancelled run had reached (its status query, answered from the closed
   * run's history), so the stage that failed is seen in place; empty when no worker answers
   * within a few seconds or no stage had started.
   */
  private String lastStages(TemporalConnection conn) {
    try {
      var answer = conn.stubs().blockingStub().withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
          .queryWorkflow(io.temporal.api.workflowservice.v1.QueryWorkflowRequest.newBuilder()
              .setNamespace(conn.namespace())
              .setExecution(io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(runId))
              .setQuery(io.temporal.api.query.v1.WorkflowQuery.newBuilder().setQueryType("status"))
              .build());
      RunStatus last = conn.client().getOptions().getDataConverter().fromPayloads(
          0, java.util.Optional.of(answer.getQueryResult()), RunStatus.class, RunStatus.class);
      return last == null || last.getStagesCount() == 0 ? "" : StatusView.render(last, System.currentTimeMillis());
    } catch (RuntimeException e) {
      return "";
    }
  }
}
