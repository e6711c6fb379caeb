package selflengthen.workers.cli;

import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;

@Command(
    name = "pause",
    mixinStandardHelpOptions = true,
    description = "Pause a run: running shards finish, no new shard starts until unpause (signal \"pause\").")
public final class PauseCommand extends RunRequestCommand {
  @Override
  void send(WorkflowStub run) {
    run.signal("pause");
  }
}
