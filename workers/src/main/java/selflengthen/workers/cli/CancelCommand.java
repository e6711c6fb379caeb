package selflengthen.workers.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.workers.TemporalConnection;

@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = "Cancel a run. What it committed to the data store stays; 'resume' continues from there.")
public final class CancelCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  @Override
  public Integer call() {
    try (TemporalConnection conn = client.connect()) {
      Runs.require(conn, runId);
      conn.client().newUntypedWorkflowStub(runId).cancel();
    }
    spec.commandLine().getOut().println("cancel requested for " + runId);
    return 0;
  }
}
