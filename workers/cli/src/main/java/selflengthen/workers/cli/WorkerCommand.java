package selflengthen.workers.cli;

import java.time.Duration;
import java.util.List;
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
import selflengthen.workflows.TaskQueues;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a worker process polling the given task queues until stopped.",
      "On SIGTERM (or Ctrl-C) it stops polling, lets running activities finish for up to"
          + " --grace-seconds, then exits. Start more of these, on any machine that reaches Temporal"
          + " and the data store, to add capacity."
    })
public final class WorkerCommand implements Callable<Integer> {
  private final Supplier<WorkerRegistrar> registrar;

  @Spec CommandSpec spec;
  @Mixin ClientOptions client;
  @Mixin DataRootOption dataRoot;
  @Mixin MetricsOptions metrics;

  @Option(names = "--queues", paramLabel = "Q", split = ",",
      defaultValue = "${env:SELFLENGTHEN_QUEUES:-control,inference,train}",
      description = "Task queues to poll: control, inference, train or full names"
          + " (env SELFLENGTHEN_QUEUES; default ${DEFAULT-VALUE}).")
  List<String> queues;

  @Mixin SlotOptions slotOptions;

  public WorkerCommand(Supplier<WorkerRegistrar> registrar) {
    this.registrar = registrar;
  }

  @Override
  public Integer call() throws InterruptedException {
    WorkerRegistrar reg = registrar.get();
    int slots = slotOptions.slots();
    Duration grace = slotOptions.grace();
    List<String> names = resolveQueues(queues);
    DataStore store = DataStore.open(dataRoot.dataRoot());
    ConnectionSettings settings = client.settings();
    MetricsEndpoint endpoint = metrics.start();
    TemporalConnection conn;
    WorkerHost host;
    try {
      conn = TemporalConnection.connect(
          endpoint == null ? settings : settings.withMetrics(endpoint.temporalScope()), Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      closeQuietly(endpoint);
      throw e;
    }
    try {
      boolean inMemory = conn.isInMemoryServer();
      host = WorkerHost.start(
          new WorkerContext(store, slots, names, conn.address(), conn.namespace(), conn.client()),
          reg, inMemory);
    } catch (RuntimeException e) {
      conn.close();
      closeQuietly(endpoint);
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      host.shutdown(grace);
      conn.close();
      closeQuietly(endpoint);
    }, "selflengthen-worker-shutdown"));
    spec.commandLine().getOut().printf("worker polling %s at %s (namespace %s%s), %d slots each, data root %s%n",
        String.join(", ", names), conn.address(), conn.namespace(), security(settings), slots, store.root());
    if (endpoint != null) {
      spec.commandLine().getOut().println("metrics at " + endpoint.url());
    }
    spec.commandLine().getOut().flush();
    host.awaitTermination();
    return 0;
  }

  /** What protects the connection, without any secret. */
  static String security(ConnectionSettings s) {
    StringBuilder b = new StringBuilder();
    if (s.tls().enabled()) {
      b.append(s.tls().mutual() ? ", mutual TLS" : ", TLS");
    }
    if (s.apiKey() != null) {
      b.append(", API key from ").append(s.apiKey().source());
    }
    if (s.encryption() != null) {
      b.append(", payloads encrypted with key ").append(s.encryption().id());
    }
    return b.toString();
  }

  static void closeQuietly(MetricsEndpoint endpoint) {
    if (endpoint != null) {
      endpoint.close();
    }
  }

  static List<String> resolveQueues(List<String> queues) {
    if (queues == null || queues.isEmpty()) {
      throw new CliException("--queues: name at least one of control, inference, train");
    }
    try {
      return queues.stream().map(TaskQueues::resolve).distinct().toList();
    } catch (IllegalArgumentException e) {
      throw new CliException("--queues: " + e.getMessage());
    }
  }
}
