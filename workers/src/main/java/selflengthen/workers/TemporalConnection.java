package selflengthen.workers;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.temporal.api.workflowservice.v1.GetClusterInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import selflengthen.workers.security.TemporalApiKey;
import selflengthen.workers.security.SecretSafeLogging;
import selflengthen.workers.security.TlsSettings;
import selflengthen.workers.server.EmbeddedTemporal;

/**
 * A connection to a Temporal frontend (TLS, mutual TLS and API key as {@link ConnectionSettings}
 * say) and a client on it using the project's data converter behind the payload encryption codec.
 */
public final class TemporalConnection implements AutoCloseable {
  static {
    SecretSafeLogging.apply();
  }

  private final String address;
  private final String namespace;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;
  /** The in-process channel this connection owns; null over the network (the SDK owns that one). */
  private final ManagedChannel ownChannel;

  private TemporalConnection(ConnectionSettings settings, WorkflowServiceStubs stubs, ManagedChannel ownChannel) {
    this.address = settings.address();
    this.ownChannel = ownChannel;
    this.namespace = settings.namespace();
    this.stubs = stubs;
    this.client =
        WorkflowClient.newInstance(
            stubs,
            WorkflowClientOptions.newBuilder()
                .setNamespace(namespace)
                .setDataConverter(settings.dataConverter())
                .build());
  }

  /** {@link #connect(ConnectionSettings, Duration)} without TLS, API key or encryption. */
  public static TemporalConnection connect(String address, String namespace, Duration timeout) {
    return connect(ConnectionSettings.plain(address, namespace), timeout);
  }

  /**
   * Connects and checks the server answers within {@code timeout}.
   *
   * @throws UnreachableServerException when it does not
   */
  public static TemporalConnection connect(ConnectionSettings settings, Duration timeout) {
    WorkflowServiceStubsOptions options = stubsOptions(settings);
    try {
      return new TemporalConnection(
          settings, WorkflowServiceStubs.newConnectedServiceStubs(options, timeout), null);
    } catch (RuntimeException e) {
      throw new UnreachableServerException(settings.address(), e);
    }
  }

  /**
   * Connects to the in-memory server of this very process over its in-process channel (no socket).
   * {@code settings} give the namespace, payload encryption and metrics; {@link #address()} stays
   * the server's TCP address, the one to give the Temporal CLI.
   */
  public static TemporalConnection inProcess(EmbeddedTemporal server, ConnectionSettings settings, Duration timeout) {
    ManagedChannel channel = server.newInProcessChannel();
    WorkflowServiceStubsOptions.Builder b = WorkflowServiceStubsOptions.newBuilder()
        .setChannel(channel)
        .setRpcQueryTimeout(Duration.ofSeconds(15));
    if (settings.metricsScope() != null) {
      b.setMetricsScope(settings.metricsScope());
    }
    ConnectionSettings shown = new ConnectionSettings(server.address(), settings.namespace(),
        TlsSettings.OFF, null, settings.encryption(), settings.metricsScope());
    try {
      return new TemporalConnection(
          shown, WorkflowServiceStubs.newConnectedServiceStubs(b.build(), timeout), channel);
    } catch (RuntimeException e) {
      channel.shutdownNow();
      throw new UnreachableServerException(server.address(), e);
    }
  }

  static WorkflowServiceStubsOptions stubsOptions(ConnectionSettings settings) {
    WorkflowServiceStubsOptions.Builder b =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(settings.address())
            .setRpcQueryTimeout(Duration.ofSeconds(15));
    TlsSettings tls = settings.tls();
    if (tls.enabled()) {
      SslContext ssl = tls.sslContext();
      if (ssl != null) {
        b.setSslContext(ssl);
      } else {
        b.setEnableHttps(true);
      }
      if (tls.serverName() != null) {
        b.setChannelInitializer(channel -> channel.overrideAuthority(tls.serverName()));
      }
    } else {
      // Explicit: the SDK would otherwise turn TLS on by itself when an API key is given.
      b.setEnableHttps(false);
    }
    if (settings.apiKey() != null) {
      TemporalApiKey key = settings.apiKey();
      b.addApiKey(key::value);
    }
    if (settings.metricsScope() != null) {
      b.setMetricsScope(settings.metricsScope());
    }
    return b.build();
  }

  /**
   * Fails at once when nothing listens at the address (connection refused, unknown host), instead
   * of retrying the health check until its timeout: for interactive commands.
   */
  public static void checkListening(String address, Duration timeout) {
    int colon = address.lastIndexOf(':');
    if (colon <= 0) {
      throw new UnreachableServerException(address,
          new IllegalArgumentException("expected HOST:PORT"));
    }
    String host = address.substring(0, colon).replaceAll("^\\[|\\]$", "");
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UnreachableServerException(address, new IllegalArgumentException("expected HOST:PORT"));
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
    } catch (IOException | IllegalArgumentException e) {
      throw new UnreachableServerException(address, e);
    }
  }

  public String address() {
    return address;
  }

  public String namespace() {
    return namespace;
  }

  public WorkflowServiceStubs stubs() {
    return stubs;
  }

  public WorkflowClient client() {
    return client;
  }

  /**
   * True when the server is Temporal's in-memory test server (ours, or {@code TestServer}): it is
   * the one frontend without GetClusterInfo. Workers need to know (see {@link WorkerHost}).
   */
  public boolean isInMemoryServer() {
    try {
      stubs.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
          .getClusterInfo(GetClusterInfoRequest.getDefaultInstance());
      return false;
    } catch (StatusRuntimeException e) {
      // Every real frontend implements the call; any other error says nothing about the kind.
      return e.getStatus().getCode() == Status.Code.UNIMPLEMENTED;
    }
  }

  @Override
  public void close() {
    stubs.shutdown();
    if (!stubs.awaitTermination(5, TimeUnit.SECONDS)) {
      stubs.shutdownNow();
    }
    if (ownChannel != null) {
      ownChannel.shutdownNow();
    }
  }

  /** The frontend did not answer a health check, or refused the credentials. */
  public static final class UnreachableServerException extends RuntimeException {
    UnreachableServerException(String address, Throwable cause) {
      super(message(address, cause), cause);
    }

    private static String message(String address, Throwable cause) {
      Status.Code code = statusCode(cause);
      if (code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED) {
        return "Temporal at " + address + " refused this client (" + reason(cause) + "): check the"
            + " API key (--api-key-env, --api-key-file) and the client certificate (--tls-cert)";
      }
      if (tlsProblem(cause)) {
        return "TLS with Temporal at " + address + " failed (" + reason(cause) + "): check --tls,"
            + " --tls-ca, --tls-cert, --tls-key and --tls-server-name";
      }
      return "cannot reach Temporal at " + address + " (" + reason(cause) + "): is a server running?"
          + " ('selflengthen dev' or 'selflengthen server' starts one)";
    }

    private static Status.Code statusCode(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
        if (c instanceof StatusRuntimeException s) {
          return s.getStatus().getCode();
        }
      }
      return null;
    }

    /** A handshake or certificate failure anywhere in the chain (gRPC wraps it in UNAVAILABLE). */
    private static boolean tlsProblem(Throwable t) {
      for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
        if (c instanceof javax.net.ssl.SSLException || c instanceof java.security.GeneralSecurityException) {
          return true;
        }
      }
      return TLS_WORDS.matcher(reason(t)).find();
    }

    private static final java.util.regex.Pattern TLS_WORDS = java.util.regex.Pattern.compile(
        "(?i)\\b(ssl|tls|certificate|handshake|subject alternative name)");

    private static String reason(Throwable t) {
      Throwable root = t;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      if (t instanceof StatusRuntimeException s) {
        String status = s.getStatus().getCode() + (s.getStatus().getDescription() == null ? ""
            : ": " + s.getStatus().getDescription());
        return root != t && root.getMessage() != null ? status + ", " + root.getMessage() : status;
      }
      return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
  }
}
