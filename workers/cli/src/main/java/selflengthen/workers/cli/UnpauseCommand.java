package selflengthen.workers.cli;

import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;

@Command(
    name = "unpause",
    mixinStandardHelpOptions = true,
    description = "Let a paused run start new shards again (signal \"unpause\").")
public final class UnpauseCommand extends RunRequestCommand {
  @Override
  void send(WorkflowStub run) {
    run.signal("unpause");
  }
}
