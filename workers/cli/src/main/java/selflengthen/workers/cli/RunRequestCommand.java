package selflengthen.workers.cli;

import io.temporal.client.WorkflowStub;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.workers.TemporalConnection;

/**
 * A command that sends one request (a signal or a cancel) to an existing run and returns at once:
 * the run acts on it at its next workflow task. Subclasses say what to send.
 */
abstract class RunRequestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  /** Sends the request to the run's latest execution. */
  abstract void send(WorkflowStub run);

  /** Whether the request means anything to a run that has closed (a cancel does not). */
  boolean acceptsClosedRuns() {
    return true;
  }

  @Override
  public final Integer call() {
    try (TemporalConnection conn = client.connect()) {
      var status = Runs.require(conn, runId);
      if (!acceptsClosedRuns()
          && status != io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        throw new CliException("run '" + runId + "' is not running (" + Runs.describe(status) + "): nothing to "
            + spec.name());
      }
      send(conn.client().newUntypedWorkflowStub(runId));
    }
    spec.commandLine().getOut().println(spec.name() + " requested for " + runId);
    return 0;
  }
}
