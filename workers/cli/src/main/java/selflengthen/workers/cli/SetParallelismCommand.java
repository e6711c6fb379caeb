package selflengthen.workers.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import selflengthen.v1.ParallelismUpdate;
import selflengthen.workers.TemporalConnection;

@Command(
    name = "set-parallelism",
    mixinStandardHelpOptions = true,
    description = "Change how many shards of a stage a running run keeps in flight (update \"setParallelism\").")
public final class SetParallelismCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "RUN", description = "Run id (workflow id).")
  String runId;

  @Parameters(index = "1", paramLabel = "N", description = "Shards in flight at once (1 or more).")
  int shards;

  @Override
  public Integer call() {
    if (shards < 1) {
      throw new CliException("N must be at least 1 (got " + shards + ")");
    }
    Integer now;
    try (TemporalConnection conn = client.connect()) {
      Runs.require(conn, runId);
      now = conn.client().newUntypedWorkflowStub(runId).update("setParallelism", Integer.class,
          ParallelismUpdate.newBuilder().setMaxConcurrentShards(shards).build());
    }
    spec.commandLine().getOut().println(runId + ": parallelism now " + now);
    return 0;
  }
}
