package selflengthen.workers.cli;

import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;

@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    description = "Cancel a run. What it committed to the data store stays; 'resume' continues from there.")
public final class CancelCommand extends RunRequestCommand {
  @Override
  boolean acceptsClosedRuns() {
    return false;
  }

  @Override
  void send(WorkflowStub run) {
    run.cancel();
  }
}
