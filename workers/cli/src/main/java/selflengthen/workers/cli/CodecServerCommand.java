package selflengthen.workers.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.openai.ApiKey;
import selflengthen.workers.codec.CodecServer;
import selflengthen.workers.codec.CodecServerOptions;
import selflengthen.workers.security.EncryptionKey;
import selflengthen.workers.security.PayloadEncryption;

/**
 * {@code codec-server}: Temporal's Remote Codec Server over the workers' payload encryption, so the
 * Web UI and {@code temporal ... --codec-endpoint} show encrypted payloads in clear.
 */
@Command(
    name = "codec-server",
    description = "Serve the payload encryption codec to the Temporal Web UI and CLI (Temporal's"
        + " Remote Codec Server protocol: POST .../encode and .../decode). Give it the workers' key.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped", "1:the port could not be bound", "2:usage error (no key, bad option)"})
public final class CodecServerCommand implements Callable<Integer> {
  public static final int DEFAULT_PORT = 8081;

  @Spec CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
  boolean help;

  @Mixin EncryptionKeyOptions encryptionKey = new EncryptionKeyOptions();

  @Option(names = "--host", defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 only inside a container).")
  String host;

  @Option(names = "--port", defaultValue = "" + DEFAULT_PORT,
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--allow-origin", paramLabel = "ORIGIN", split = ",",
      defaultValue = "http://127.0.0.1:8080,http://localhost:8080",
      description = "Web UI origin(s) allowed to call from a browser, comma-separated or repeated;"
          + " * allows any (default: ${DEFAULT-VALUE}, the docker compose Web UI).")
  List<String> allowedOrigins = new ArrayList<>();

  @Option(names = "--namespace", paramLabel = "NS",
      description = "Serve only this namespace (repeatable; default: any). The namespace is the"
          + " X-Namespace header, else the path segment before /encode or /decode.")
  List<String> namespaces = new ArrayList<>();

  @ArgGroup(exclusive = true)
  TokenSource token;

  static final class TokenSource {
    @Option(names = "--auth-token-file", paramLabel = "FILE",
        description = "Require 'Authorization: Bearer <token>' with the token in this file.")
    Path file;

    @Option(names = "--auth-token-env", paramLabel = "VAR",
        description = "Require 'Authorization: Bearer <token>' with the token in this variable.")
    String variable;
  }

  private final CompletableFuture<CodecServer> started = new CompletableFuture<>();

  /** Completes with the running server once it listens (for embedding and tests). */
  public CompletableFuture<CodecServer> started() {
    return started;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    EncryptionKey key;
    CodecServerOptions options;
    try {
      key = encryptionKey.key();
      if (key == null) {
        throw new CliException("no key: give the workers' --encryption-key-file or --encryption-key-env"
            + " (or SELFLENGTHEN_ENCRYPTION_KEY_FILE / _ENV)");
      }
      options = options();
    } catch (CliException | IllegalArgumentException | UncheckedIOException e) {
      err.println("codec-server: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    CodecServer server;
    try {
      server = CodecServer.start(new InetSocketAddress(InetAddress.getByName(host), port),
          PayloadEncryption.with(key), options);
    } catch (IOException e) {
      err.println("codec-server: cannot listen on " + host + ":" + port + ": " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    if (options.token() == null && !server.address().getAddress().isLoopbackAddress()) {
      err.println("codec-server: warning: listening on " + host + " without a token (--auth-token-file):"
          + " whoever reaches this port can decrypt payloads");
    }
    out.println("codec-server: " + server.url() + " with key " + key.id() + ", for origins "
        + String.join(", ", options.allowedOrigins()));
    out.flush();
    started.complete(server);
    Foreground.run(server, "codec-server", Duration.ofSeconds(1), () -> { });
    return CommandLine.ExitCode.OK;
  }

  private CodecServerOptions options() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535");
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--host " + host + " is not a known address");
    }
    List<String> origins = allowedOrigins.stream().map(String::strip).filter(o -> !o.isEmpty())
        .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o).toList();
    ApiKey bearer = token == null ? null : ApiKey.fromEnvironmentOrFile(token.variable, token.file);
    return new CodecServerOptions(origins, bearer, new LinkedHashSet<>(namespaces),
        CodecServerOptions.DEFAULT_MAX_BODY_BYTES);
  }
}
