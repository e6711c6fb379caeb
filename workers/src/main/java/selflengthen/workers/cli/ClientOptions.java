package selflengthen.workers.cli;

import java.time.Duration;
import picocli.CommandLine.Option;
import selflengthen.workers.TemporalConnection;

/** Where Temporal is: shared by every command that talks to it. */
public final class ClientOptions {
  @Option(
      names = "--address",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:SELFLENGTHEN_ADDRESS:-127.0.0.1:7233}",
      description = "Temporal frontend (env SELFLENGTHEN_ADDRESS; default ${DEFAULT-VALUE}).")
  String address;

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      defaultValue = "${env:SELFLENGTHEN_NAMESPACE:-default}",
      description = "Temporal namespace (env SELFLENGTHEN_NAMESPACE; default ${DEFAULT-VALUE}).")
  String namespace;

  public String address() {
    return address;
  }

  public String namespace() {
    return namespace;
  }

  TemporalConnection connect() {
    TemporalConnection.checkListening(address, Duration.ofSeconds(5));
    return TemporalConnection.connect(address, namespace, Duration.ofSeconds(10));
  }
}
