package selflengthen.workers.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.workers.TemporalConnection;

@Command(
    name = "pause",
    mixinStandardHelpOptions = true,
    description = "Pause a run: running shards finish, no new shard starts until unpause (signal \"pause\").")
public final class PauseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  @Override
  public Integer call() {
    try (TemporalConnection conn = client.connect()) {
      Runs.require(conn, runId);
      conn.client().newUntypedWorkflowStub(runId).signal("pause");
    }
    spec.commandLine().getOut().println("pause requested for " + runId);
    return 0;
  }
}
