package selflengthen.workers.cli;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.spec.SpecValidator;
import selflengthen.store.DataStore;
import selflengthen.v1.RunSpec;
import selflengthen.workers.TemporalConnection;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

@Command(
    name = "resume",
    mixinStandardHelpOptions = true,
    description = {
      "Continue a run that failed, was cancelled, or was lost with an in-memory server:"
          + " starts a new execution of the same workflow id with the spec stored in"
          + " runs/RUN/spec.json. Finished work (complete in the store's manifest) is skipped.",
      "Refused while the run is still running."
    })
public final class ResumeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;
  @Mixin DataRootOption dataRoot;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  @Override
  public Integer call() {
    if (!SpecValidator.isSafeRunId(runId)) {
      throw new CliException("'" + runId + "' is not a valid run id");
    }
    // Look before opening the store: opening creates the data root, and an unknown run needs none.
    java.nio.file.Path root = dataRoot.dataRoot().toAbsolutePath().normalize();
    if (!java.nio.file.Files.isDirectory(root)) {
      throw new CliException("data root " + root + " does not exist, so it holds no run '" + runId
          + "': give the --data-root its workers use");
    }
    RunSpec stored = DataStore.openExisting(root).readSpec(runId);
    RunSpec resolved = SpecValidator.validate(stored);
    try (TemporalConnection conn = client.connect()) {
      Optional<WorkflowExecutionStatus> state = Runs.status(conn, runId);
      if (state.isPresent() && state.get() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        throw new CliException("run '" + runId + "' is still running: nothing to resume (see:"
            + " selflengthen status " + runId + ")");
      }
      SelfLengthenRun run =
          conn.client().newWorkflowStub(
              SelfLengthenRun.class,
              WorkflowOptions.newBuilder()
                  .setWorkflowId(runId)
                  .setTaskQueue(TaskQueues.CONTROL)
                  .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                  .build());
      String id = WorkflowClient.start(run::run, resolved, null).getWorkflowId();
      spec.commandLine().getOut().println(id);
      spec.commandLine().getErr().println("resumed " + state.map(Runs::describe).orElse("unknown")
          + " run; watch it with: selflengthen status " + id + " --watch");
    }
    return 0;
  }
}
