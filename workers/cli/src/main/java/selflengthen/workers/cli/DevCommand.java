package selflengthen.workers.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.store.DataStore;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.WorkerRegistrar;
import selflengthen.workers.metrics.MetricsEndpoint;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.TaskQueues;

@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Everything in one JVM: the in-memory Temporal server on 127.0.0.1 and workers for every"
          + " task queue. Prints the address and how to start a run.",
      "Workflow state lives in memory: when this process stops, 'selflengthen resume RUN'"
          + " continues a run from the data store."
    })
public final class DevCommand implements Callable<Integer> {
  private final Supplier<WorkerRegistrar> registrar;

  @Spec CommandSpec spec;
  @Mixin DataRootOption dataRoot;
  @Mixin MetricsOptions metrics;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "7233",
      description = "Port on 127.0.0.1 (0 picks a free one; default ${DEFAULT-VALUE}).")
  int port;

  @Mixin SlotOptions slotOptions;

  public DevCommand(Supplier<WorkerRegistrar> registrar) {
    this.registrar = registrar;
  }

  @Override
  public Integer call() throws InterruptedException {
    WorkerRegistrar reg = registrar.get();
    int slots = slotOptions.slots();
    Duration grace = slotOptions.grace();
    DataStore store = DataStore.open(dataRoot.dataRoot());
    MetricsEndpoint endpoint = metrics.start();
    EmbeddedTemporal server;
    try {
      server = EmbeddedTemporal.start(port);
    } catch (RuntimeException e) {
      WorkerCommand.closeQuietly(endpoint);
      throw e;
    }
    TemporalConnection conn;
    WorkerHost host;
    try {
      ConnectionSettings settings = ConnectionSettings.plain(server.address(), "default");
      // The workers here talk to the server in process; the port is for the CLI and other workers.
      conn = TemporalConnection.inProcess(server,
          endpoint == null ? settings : settings.withMetrics(endpoint.temporalScope()), Duration.ofSeconds(10));
      host = WorkerHost.start(
          new WorkerContext(store, slots, TaskQueues.ALL, conn.address(), conn.namespace(), conn.client()),
          reg, WorkerHost.ServerKind.IN_MEMORY_HERE);
    } catch (RuntimeException e) {
      server.close();
      WorkerCommand.closeQuietly(endpoint);
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      host.shutdown(grace);
      conn.close();
      server.close();
      WorkerCommand.closeQuietly(endpoint);
    }, "selflengthen-dev-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("selflengthen dev: Temporal (in memory) at " + server.address() + ", namespace default");
    out.println("workers on " + String.join(", ", TaskQueues.ALL) + " (" + slots + " slots each);"
        + " data root " + store.root());
    out.println("start a run from another terminal:");
    out.println("  bin/selflengthen start --address " + server.address() + " --spec FILE");
    out.println("  temporal workflow start --address " + server.address() + " --type SelfLengthenRun"
        + " --task-queue " + TaskQueues.CONTROL + " --workflow-id r1 --input '{\"models\":{\"base_model\":\"/abs/model\"},"
        + "\"self_instruct\":{\"seed_file\":\"/abs/seeds.jsonl\"}}'");
    out.println("  (run_id defaults to the workflow id; a spec without data_root uses " + store.root() + ")");
    if (endpoint != null) {
      out.println("metrics at " + endpoint.url());
    }
    out.println("stop with Ctrl-C; 'selflengthen resume RUN --data-root " + store.root()
        + "' continues a run after a restart");
    out.flush();
    host.awaitTermination();
    return 0;
  }
}
