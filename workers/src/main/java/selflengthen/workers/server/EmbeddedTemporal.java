package selflengthen.workers.server;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Temporal's in-memory server (the SDK's test server, real time) bound to 127.0.0.1 only.
 *
 * <p>The SDK's own launcher listens on every interface (platform.md); this one builds the same
 * services on a Netty server bound to the loopback address, so nothing outside the machine can
 * reach it. Workflow state lives in memory and dies with the process; the data store survives.
 */
public final class EmbeddedTemporal implements AutoCloseable {
  public static final String HOST = "127.0.0.1";

  private final TestServicesStarter services;
  private final Server server;

  private EmbeddedTemporal(TestServicesStarter services, Server server) {
    this.services = services;
    this.server = server;
  }

  /** Starts on {@code port} of 127.0.0.1 (0 picks a free port). */
  public static EmbeddedTemporal start(int port) {
    // lockTimeSkipping=true: timers run in real time, like a real server.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(HOST, port));
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
    try {
      return new EmbeddedTemporal(services, builder.build().start());
    } catch (IOException e) {
      services.close();
      throw new UncheckedIOException("cannot listen on " + HOST + ":" + port + ": " + rootMessage(e), e);
    }
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
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    services.close();
  }
}
