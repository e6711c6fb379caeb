package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import selflengthen.workers.codec.CodecServer;
import selflengthen.workers.security.EncryptionKey;
import selflengthen.workers.security.PayloadEncryption;
import selflengthen.model.secret.SecretSource;

/** {@code selflengthen codec-server} as a user starts it: the workers' key file, loopback, a token. */
class CodecServerCommandTest {
  @TempDir Path dir;

  record Running(CodecServer server, CompletableFuture<Integer> exit, StringWriter out, StringWriter err) {}

  Running launch(String... args) throws Exception {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    CodecServerCommand command = cl.getSubcommands().get("codec-server").getCommand();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cl.execute(args));
    CompletableFuture.anyOf(command.started(), exit).get(20, TimeUnit.SECONDS);
    assertTrue(command.started().isDone(), "did not start: " + err);
    return new Running(command.started().get(), exit, out, err);
  }

  @Test
  void bindsLoopbackByDefaultAndDecodesWithTheWorkersKeyFile() throws Exception {
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    String keyText = Base64.getEncoder().encodeToString(raw);
    Path keyFile = dir.resolve("payload.key");
    Files.writeString(keyFile, keyText + "\n");
    Path tokenFile = dir.resolve("codec.token");
    Files.writeString(tokenFile, "codec-token-1\n");
    EncryptionKey key = EncryptionKey.read(SecretSource.file(keyFile));
    Payload plain = Payload.newBuilder().putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8("{\"run_id\":\"r1\"}")).build();
    String body = JsonFormat.printer().print(Payloads.newBuilder()
        .addAllPayloads(PayloadEncryption.with(key).encode(List.of(plain))));

    Running r = launch("codec-server", "--encryption-key-file", keyFile.toString(), "--port", "0",
        "--auth-token-file", tokenFile.toString());
    try {
      assertEquals("127.0.0.1", r.server().address().getAddress().getHostAddress());
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest.Builder request = HttpRequest.newBuilder(r.server().url().resolve("/decode"))
          .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      assertEquals(401, http.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      HttpResponse<String> decoded = http.send(request.header("Authorization", "Bearer codec-token-1").build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, decoded.statusCode(), decoded.body());
      Payloads.Builder back = Payloads.newBuilder();
      JsonFormat.parser().merge(decoded.body(), back);
      assertEquals(List.of(plain), back.getPayloadsList());
    } finally {
      r.server().close();
    }
    assertEquals(0, r.exit().get(10, TimeUnit.SECONDS));
    String printed = r.out().toString() + r.err();
    assertTrue(printed.contains(key.id()) && printed.contains("http://127.0.0.1:"), printed);
    assertFalse(printed.contains(keyText) || printed.contains("codec-token-1"), printed);
  }

  @Test
  void withoutAKeyItIsAUsageError() {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    assertEquals(2, cl.execute("codec-server", "--port", "0", "--encryption-key-env", ""));
    assertTrue(err.toString().contains("no key"), err.toString());
    assertEquals(2, cl.execute("codec-server", "--port", "0", "--encryption-key-file",
        dir.resolve("absent.key").toString()));
    assertTrue(err.toString().contains("absent.key"), err.toString());
  }

  @Test
  void originsGivenReplaceTheDefaultOnes() {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    cl.parseArgs("codec-server");
    CodecServerCommand defaults = cl.getSubcommands().get("codec-server").getCommand();
    assertEquals(List.of("http://127.0.0.1:8080", "http://localhost:8080"), defaults.allowedOrigins);
    assertEquals("127.0.0.1", defaults.host);
    assertEquals(CodecServerCommand.DEFAULT_PORT, defaults.port);

    CommandLine other = Main.commandLine(() -> (q, w, c) -> {});
    other.parseArgs("codec-server", "--allow-origin", "https://ui.example.test", "--allow-origin",
        "http://127.0.0.1:8233");
    CodecServerCommand given = other.getSubcommands().get("codec-server").getCommand();
    assertEquals(List.of("https://ui.example.test", "http://127.0.0.1:8233"), given.allowedOrigins);
  }
}
