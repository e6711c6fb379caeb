package selflengthen.workers.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import selflengthen.model.secret.SecretSource;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.cli.Main;
import selflengthen.workers.TemporalConnection;

/**
 * The CLI against a Temporal frontend that demands mutual TLS and an API key: Temporal's in-memory
 * services behind a loopback Netty server with a client-certificate requirement and an interceptor
 * that refuses calls without {@code authorization: Bearer <key>}.
 */
@Tag("integration")
class SecuredServerTest {
  static final String SERVER_NAME = "temporal.selflengthen.test";
  static final String API_KEY = "sl-test-api-key-5b0c9e1d7a";

  @TempDir static Path dir;
  static TestServicesStarter services;
  static Server server;
  static TestCertificates.Identity serverId;
  static TestCertificates.Identity clientId;
  static Path apiKeyFile;
  static final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void start() throws Exception {
    serverId = TestCertificates.create(dir, "server", SERVER_NAME);
    clientId = TestCertificates.create(dir, "worker", "worker.selflengthen.test");
    apiKeyFile = dir.resolve("api-key");
    Files.writeString(apiKeyFile, API_KEY + "\n");

    services = new TestServicesStarter(true, 0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(GrpcSslContexts.forServer(serverId.cert().toFile(), serverId.key().toFile())
            .trustManager(clientId.cert().toFile())
            .clientAuth(ClientAuth.REQUIRE)
            .build());
    ServerInterceptor apiKeyCheck = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
        authorizations.add(String.valueOf(auth));
        if (!("Bearer " + API_KEY).equals(auth)) {
          call.close(Status.UNAUTHENTICATED.withDescription("API key required"), new Metadata());
          return new ServerCall.Listener<>() {};
        }
        return next.startCall(call, headers);
      }
    };
    GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder, List.of(apiKeyCheck));
    server = builder.build().start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
    services.close();
  }

  record Result(int code, String out, String err) {}

  static Result cli(String... args) {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  static String address() {
    return "127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  static List<String> tls(boolean clientCertificate) {
    List<String> a = new ArrayList<>(List.of("--address", address(), "--tls-ca", serverId.cert().toString(),
        "--tls-server-name", SERVER_NAME));
    if (clientCertificate) {
      a.addAll(List.of("--tls-cert", clientId.cert().toString(), "--tls-key", clientId.key().toString()));
    }
    return a;
  }

  static String[] args(String command, List<String> options, String... more) {
    List<String> a = new ArrayList<>(List.of(command));
    a.addAll(options);
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  @Test
  void mutualTlsAndAnApiKeyGetThrough() {
    authorizations.clear();
    Result r = cli(args("workers", tls(true), "--api-key-file", apiKeyFile.toString()));
    assertEquals(0, r.code(), r.err());
    // The in-memory services lack DescribeTaskQueue: reaching that answer means TLS and the key worked.
    assertTrue(r.out().contains("does not implement DescribeTaskQueue"), r.out());
    assertTrue(authorizations.contains("Bearer " + API_KEY), authorizations.toString());
    assertFalse(r.out().contains(API_KEY) || r.err().contains(API_KEY));
  }

  @Test
  void withoutTheClientCertificateTlsFailsInOneLine() {
    Result r = cli(args("workers", tls(false), "--api-key-file", apiKeyFile.toString()));
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: "), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }

  @Test
  void aWrongApiKeyIsRefusedWithAClearMessage() throws Exception {
    Path wrong = dir.resolve("wrong-key");
    Files.writeString(wrong, "not-the-key");
    Result r = cli(args("workers", tls(true), "--api-key-file", wrong.toString()));
    assertEquals(1, r.code());
    assertTrue(r.err().startsWith("error: Temporal at " + address() + " refused this client (UNAUTHENTICATED"),
        r.err());
    assertFalse(r.err().contains("not-the-key"), r.err());
  }

  @Test
  void withoutTheServerNameTheCertificateDoesNotMatchTheAddress() {
    TlsSettings tls = TlsSettings.resolve(null, clientId.cert(), clientId.key(), serverId.cert(), null, true);
    ConnectionSettings settings = new ConnectionSettings(address(), "default", tls,
        TemporalApiKey.read(SecretSource.file(apiKeyFile)), null, null);
    TemporalConnection.UnreachableServerException e = assertThrows(TemporalConnection.UnreachableServerException.class,
        () -> TemporalConnection.connect(settings, Duration.ofSeconds(2)).close());
    assertTrue(e.getMessage().startsWith("TLS with Temporal at " + address() + " failed"), e.getMessage());
    assertTrue(e.getMessage().contains("--tls-server-name"), e.getMessage());
  }
}
