package selflengthen.workers.cli;

import picocli.CommandLine.Option;
import selflengthen.workers.metrics.MetricsEndpoint;

/** The Prometheus endpoint of a worker process. */
public final class MetricsOptions {
  /** The port the deployment files publish; the CLI default is off. */
  public static final int CONVENTIONAL_PORT = 9464;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      defaultValue = "${env:SELFLENGTHEN_METRICS_PORT:-0}",
      description = "Serve Prometheus metrics (Temporal SDK + selflengthen) at /metrics on this port;"
          + " 0 = off (env SELFLENGTHEN_METRICS_PORT; default ${DEFAULT-VALUE}; the deployment files"
          + " use " + CONVENTIONAL_PORT + ").")
  int port;

  @Option(names = "--metrics-host", paramLabel = "HOST",
      defaultValue = "${env:SELFLENGTHEN_METRICS_HOST:-127.0.0.1}",
      description = "Address the metrics endpoint binds (env SELFLENGTHEN_METRICS_HOST; default"
          + " ${DEFAULT-VALUE}; in a container 0.0.0.0, published on the host's loopback only).")
  String host;

  public int port() {
    return port;
  }

  public String host() {
    return host;
  }

  /** The endpoint, or null when off. */
  MetricsEndpoint start() {
    if (port < 0 || port > 65535) {
      throw new CliException("--metrics-port must be between 0 and 65535 (got " + port + ")");
    }
    if (port == 0) {
      return null;
    }
    try {
      return MetricsEndpoint.start(host, port);
    } catch (java.io.UncheckedIOException e) {
      throw new CliException(e.getMessage());
    }
  }
}
