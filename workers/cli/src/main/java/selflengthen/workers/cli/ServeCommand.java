package selflengthen.workers.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.Models;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.openai.ApiKey;
import selflengthen.workers.serve.ModelCatalog;
import selflengthen.workers.serve.OpenAiServer;
import selflengthen.workers.serve.ServedModel;
import selflengthen.workers.serve.ServerOptions;

/**
 * {@code serve}: an OpenAI-compatible HTTP server over a checkpoint and its adapters, so vLLM-style
 * clients (and this project's endpoint engine) can use the in-process engine over the network.
 */
@Command(
    name = "serve",
    description = {
      "Serve a checkpoint (and PEFT adapters, by name) over an OpenAI-compatible HTTP API:",
      "GET /v1/models, POST /v1/completions, POST /v1/chat/completions (stream or not), GET"
          + " /health."
    },
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:stopped", "1:model could not be loaded or the port bound", "2:usage error"})
public final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help and exit.")
  boolean help;

  @Option(
      names = "--model",
      paramLabel = "DIR",
      required = true,
      description = "Hugging Face checkpoint directory.")
  Path model;

  @Option(
      names = "--served-model-name",
      paramLabel = "NAME",
      description =
          "Name clients use for the base model (default: the checkpoint directory's name).")
  String servedName;

  @Option(
      names = "--adapter",
      paramLabel = "NAME=DIR",
      description = "Serve a PEFT adapter directory as model NAME (repeatable).")
  Map<String, Path> adapters = new LinkedHashMap<>();

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "8000",
      description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @ArgGroup(exclusive = true)
  KeySource key;

  static final class KeySource {
    @Option(
        names = "--api-key-env",
        paramLabel = "VAR",
        description = "Require the bearer key held by this environment variable.")
    String variable;

    @Option(
        names = "--api-key-file",
        paramLabel = "FILE",
        description = "Require the bearer key in this file.")
    Path file;
  }

  @Option(
      names = "--max-batch",
      defaultValue = "16",
      paramLabel = "N",
      description =
          "Requests handed to the engine at once, which batches them (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Option(
      names = "--default-max-tokens",
      defaultValue = "4096",
      paramLabel = "N",
      description = "max_tokens of requests that give none (default: ${DEFAULT-VALUE}).")
  int defaultMaxTokens;

  @Option(
      names = "--allow-runtime-adapters",
      description =
          "Enable POST /v1/load_lora_adapter and /v1/unload_lora_adapter (vLLM-compatible).")
  boolean runtimeAdapters;

  @Option(
      names = "--device",
      defaultValue = "cpu",
      description = "Device for the engine: cpu or cuda:N (default: ${DEFAULT-VALUE}).")
  String device;

  /** Opens a checkpoint directory on a device ("cpu" or "cuda:N"). */
  private final BiFunction<Path, String, LanguageModel> loader;
  private final CompletableFuture<OpenAiServer> started = new CompletableFuture<>();

  /** Loads models with the in-process DJL engine on --device. */
  public ServeCommand() {
    this.loader = (dir, device) ->
        Models.open(dir, EngineOptions.defaults().withDevice(device == null ? "cpu" : device));
  }

  /** Loads models with {@code loader}, which chooses the device itself (--device is not used). */
  public ServeCommand(Function<Path, LanguageModel> loader) {
    this.loader = (dir, ignoredDevice) -> loader.apply(dir);
  }

  /** Completes with the running server once it listens (for embedding and tests). */
  public CompletableFuture<OpenAiServer> started() {
    return started;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ServerOptions options;
    try {
      options = options();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      err.println("serve: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    for (Map.Entry<String, Path> adapter : adapters.entrySet()) {
      if (!adapter.getValue().resolve("adapter_config.json").toFile().isFile()) {
        err.println(
            "serve: --adapter "
                + adapter.getKey()
                + ": "
                + adapter.getValue()
                + " has no adapter_config.json");
        return CommandLine.ExitCode.USAGE;
      }
    }
    LanguageModel loaded;
    try {
      loaded = loader.apply(model, device);
    } catch (RuntimeException e) {
      err.println("serve: cannot load " + model + ": " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    AtomicBoolean closed = new AtomicBoolean();
    Runnable closeModel =
        () -> {
          if (closed.compareAndSet(false, true)) {
            loaded.close();
          }
        };
    ModelCatalog catalog;
    try {
      catalog = catalog(loaded);
    } catch (IllegalArgumentException e) {
      closeModel.run();
      err.println("serve: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    OpenAiServer server;
    try {
      server =
          OpenAiServer.start(
              new InetSocketAddress(InetAddress.getByName(host), port), catalog, options);
    } catch (IOException e) {
      closeModel.run();
      err.println("serve: cannot listen on " + host + ":" + port + ": " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    if (options.apiKey() == null && !server.address().getAddress().isLoopbackAddress()) {
      err.println(
          "serve: warning: listening on "
              + host
              + " without an API key (--api-key-env or --api-key-file)");
    }
    out.println("serve: " + names(catalog.all()) + " at " + server.baseUrl());
    out.flush();
    started.complete(server);
    Foreground.run(server, "serve", Duration.ofSeconds(2), closeModel);
    return CommandLine.ExitCode.OK;
  }

  private ServerOptions options() {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("--max-batch must be at least 1");
    }
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("--default-max-tokens must be at least 1");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535");
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--host " + host + " is not a known address");
    }
    ApiKey apiKey = key == null ? null : ApiKey.fromEnvironmentOrFile(key.variable, key.file);
    return ServerOptions.defaults()
        .withApiKey(apiKey)
        .withMaxConcurrentGenerations(maxBatch)
        .withDefaultMaxTokens(defaultMaxTokens)
        .withRuntimeAdapters(runtimeAdapters);
  }

  private ModelCatalog catalog(LanguageModel loaded) {
    String base =
        servedName != null && !servedName.isBlank()
            ? servedName
            : model.toAbsolutePath().normalize().getFileName().toString();
    ModelCatalog catalog = new ModelCatalog().addBase(base, loaded);
    adapters.forEach((name, dir) -> catalog.addAdapter(name, base, dir));
    return catalog;
  }

  static String names(Iterable<ServedModel> models) {
    StringBuilder text = new StringBuilder();
    models.forEach(m -> text.append(text.length() == 0 ? "" : ", ").append(m.name()));
    return text.toString();
  }
}
