package selflengthen.workers.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.client.WorkflowOptions;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;

@Tag("integration")
class EmbeddedTemporalTest {
  static EmbeddedTemporal server;

  @BeforeAll
  static void start() {
    server = EmbeddedTemporal.start(0);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** The machine's addresses other than loopback (an interface that is up). */
  static List<InetAddress> nonLoopbackAddresses() throws SocketException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .filter(i -> {
          try {
            return i.isUp() && !i.isLoopback();
          } catch (SocketException e) {
            return false;
          }
        })
        .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
        .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
        .toList();
  }

  @Test
  void listensOnLoopbackOnly() {
    List<? extends SocketAddress> sockets = server.listenAddresses();
    assertFalse(sockets.isEmpty());
    for (SocketAddress s : sockets) {
      InetSocketAddress inet = (InetSocketAddress) s;
      assertTrue(inet.getAddress().isLoopbackAddress(), "bound to " + inet);
      assertFalse(inet.getAddress().isAnyLocalAddress(), "bound to the wildcard: " + inet);
    }
    assertEquals("127.0.0.1:" + server.port(), server.address());
  }

  @Test
  void answersTemporalCallsOnLoopbackAndIsRecognisedAsInMemory() {
    try (TemporalConnection conn = TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10))) {
      assertTrue(conn.isInMemoryServer());
    }
  }

  @Test
  void refusesConnectionsOnTheMachinesOtherAddresses() throws Exception {
    List<InetAddress> others = nonLoopbackAddresses();
    assumeTrue(!others.isEmpty(), "this machine has no non-loopback IPv4 address to try");
    try (Socket loopback = new Socket()) {
      loopback.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      assertTrue(loopback.isConnected());
    }
    for (InetAddress other : others) {
      try (Socket s = new Socket()) {
        IOException e = assertThrows(IOException.class,
            () -> s.connect(new InetSocketAddress(other, server.port()), 2000), "reachable on " + other);
        assertTrue(e instanceof ConnectException, other + ": " + e);
      }
    }
  }

  @Test
  void theInProcessChannelReachesTheSameServerAsThePort() {
    String id = "in-process-" + System.nanoTime();
    try (TemporalConnection tcp = TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10));
        TemporalConnection local = TemporalConnection.inProcess(
            server, ConnectionSettings.plain(server.address(), "default"), Duration.ofSeconds(10))) {
      // What a client on the port starts, the in-process client sees, and the other way round.
      tcp.client().newUntypedWorkflowStub("NoSuchType",
          WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("nobody-polls").build()).start();
      WorkflowExecutionStatus seen = local.client().newUntypedWorkflowStub(id).describe().getStatus();
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, seen);
      local.client().newUntypedWorkflowStub(id).terminate("test over");
      assertEquals(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
          tcp.client().newUntypedWorkflowStub(id).describe().getStatus());
      // The CLI is told the TCP address, never an in-process name.
      assertEquals(server.address(), local.address());
      assertTrue(local.isInMemoryServer());
    }
  }

  @Test
  void theInProcessChannelRefusesWhatThePortRefuses() {
    // A request over gRPC's 4 MiB per message: the TCP port refuses it, and so must the in-process
    // channel (the checker of Temporal's own test environment), or dev would accept a payload a
    // real deployment refuses. Raw calls: the SDK's client would retry for a minute.
    try (TemporalConnection tcp = TemporalConnection.connect(server.address(), "default", Duration.ofSeconds(10));
        TemporalConnection local = TemporalConnection.inProcess(
            server, ConnectionSettings.plain(server.address(), "default"), Duration.ofSeconds(10))) {
      for (TemporalConnection conn : List.of(tcp, local)) {
        String id = "too-big-" + System.nanoTime();
        StartWorkflowExecutionRequest tooBig = StartWorkflowExecutionRequest.newBuilder()
            .setNamespace("default").setWorkflowId(id).setRequestId(id)
            .setWorkflowType(WorkflowType.newBuilder().setName("NoSuchType"))
            .setTaskQueue(TaskQueue.newBuilder().setName("nobody-polls"))
            .setInput(Payloads.newBuilder().addPayloads(Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("binary/plain"))
                .setData(ByteString.copyFrom(new byte[5 << 20]))))
            .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> conn.stubs().blockingStub().startWorkflowExecution(tooBig));
        if (conn == local) {
          // Over TCP the refusal reads UNKNOWN ("Application error processing RPC"); here it is named.
          assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
        }
      }
    }
  }

  @Test
  void aBusyPortIsAClearError() {
    RuntimeException e = assertThrows(RuntimeException.class, () -> EmbeddedTemporal.start(server.port()));
    assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + server.port()), e.getMessage());
  }
}
