package selflengthen.workers.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.workers.TemporalConnection;

@Command(
    name = "unpause",
    mixinStandardHelpOptions = true,
    description = "Let a paused run start new shards again (signal \"unpause\").")
public final class UnpauseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  @Override
  public Integer call() {
    try (TemporalConnection conn = client.connect()) {
      Runs.require(conn, runId);
      conn.client().newUntypedWorkflowStub(runId).signal("unpause");
    }
    spec.commandLine().getOut().println("unpause requested for " + runId);
    return 0;
  }
}
