package selflengthen.workers;

import io.temporal.client.WorkflowClient;
import java.nio.file.Path;
import java.util.List;
import selflengthen.store.DataStore;

/**
 * What registrars get to build their activities with, one per worker process.
 *
 * @param store the data store on this machine's data root (opened and checked writable)
 * @param slots activities (of each queue) this process runs at once
 * @param queues the task queues this process polls (full names)
 * @param address the Temporal frontend (host:port)
 * @param namespace the Temporal namespace
 * @param client a client on the same connection, with the project's data converter
 */
public record WorkerContext(
    DataStore store,
    int slots,
    List<String> queues,
    String address,
    String namespace,
    WorkflowClient client) {
  public WorkerContext {
    queues = List.copyOf(queues);
  }

  public Path dataRoot() {
    return store.root();
  }
}
