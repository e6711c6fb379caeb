package selflengthen.workers.server;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.InProcessGRPCServer;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's in-memory server (the SDK's test server, real time) bound to 127.0.0.1 only.
 *
 * <p>The SDK's own launcher listens on every interface; this one builds the same
 * services on a Netty server bound to the loopback address, so nothing outside the machine can
 * reach it. Workflow state lives in memory and dies with the process; the data store survives.
 *
 * <p>The same services are also served in process ({@link #newInProcessChannel}): workers and
 * clients in this JVM ({@code dev}, the demo, benchmarks) skip the loopback socket, HTTP/2
 * framing and protobuf (de)serialisation of every call, which measured as most of the CPU a shard
 * costs the orchestration. The TCP port stays for the Temporal CLI, the Web UI and other processes.
 */
public final class EmbeddedTemporal implements AutoCloseable {
  public static final String HOST = "127.0.0.1";

  private final TestServicesStarter services;
  private final Server server;
  private final Server inProcess;
  private final String inProcessName;

  private EmbeddedTemporal(TestServicesStarter services, Server server, Server inProcess, String inProcessName) {
    this.services = services;
    this.server = server;
    this.inProcess = inProcess;
    this.inProcessName = inProcessName;
  }

  /** Starts on {@code port} of 127.0.0.1 (0 picks a free port). */
  public static EmbeddedTemporal start(int port) {
    // lockTimeSkipping=true: timers run in real time, like a real server.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    TimerLockEventsTrim.apply(services);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(HOST, port));
    // ListWorkflowExecutions / CountWorkflowExecutions, which the test server lacks (VisibilityQueries).
    List<io.grpc.BindableService> served =
        VisibilityQueries.wrap(services.getServices(), services.getWorkflowService());
    GRPCServerHelper.registerServicesAndHealthChecks(served, builder);
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder local = InProcessServerBuilder.forName(name);
    // gRPC's 4 MiB message cap, which the TCP port has and an in-process call would not: a payload
    // too big for a real deployment fails here too (the checker of Temporal's own test environment).
    GRPCServerHelper.registerServicesAndHealthChecks(
        served, local, List.of(new InProcessGRPCServer.MessageSizeChecker()));
    Server tcp = null;
    try {
      tcp = builder.build().start();
      return new EmbeddedTemporal(services, tcp, local.build().start(), name);
    } catch (IOException e) {
      if (tcp != null) {
        tcp.shutdownNow();
      }
      services.close();
      throw new UncheckedIOException("cannot listen on " + HOST + ":" + port + ": " + rootMessage(e), e);
    }
  }

  /** A channel to this server that never leaves the JVM. The caller shuts it down. */
  public ManagedChannel newInProcessChannel() {
    return InProcessChannelBuilder.forName(inProcessName).build();
  }

  /** Events in the server's timer lock-event list now (bounded: {@link BoundedLockEvents}). */
  int timerLockEvents() throws ReflectiveOperationException {
    return TimerLockEventsTrim.size(services);
  }

  /** The server's services, for tests in this package that drive its timer directly. */
  TestServicesStarter services() {
    return services;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  public int port() {
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** host:port for clients and workers. */
  public String address() {
    return HOST + ":" + port();
  }

  /** The socket addresses it listens on (all loopback). */
  public java.util.List<? extends java.net.SocketAddress> listenAddresses() {
    return server.getListenSockets();
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    stop(server);
    stop(inProcess);
    services.close();
  }

  private static void stop(Server s) {
    s.shutdown();
    try {
      if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
        s.shutdownNow();
      }
    } catch (InterruptedException e) {
      s.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
