package selflengthen.workers.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.workers.server.EmbeddedTemporal;

@Command(
    name = "server",
    mixinStandardHelpOptions = true,
    description = "Run Temporal's in-memory server on 127.0.0.1 only, until stopped. State is lost"
        + " when it stops; for durable runs use a real Temporal server (docker-compose).")
public final class ServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "7233",
      description = "Port on 127.0.0.1 (0 picks a free one; default ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedTemporal server = EmbeddedTemporal.start(port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "selflengthen-server-shutdown"));
    spec.commandLine().getOut().println("Temporal (in memory) listening on " + server.address());
    spec.commandLine().getOut().flush();
    server.awaitTermination();
    return 0;
  }
}
