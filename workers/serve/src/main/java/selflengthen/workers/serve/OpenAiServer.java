package selflengthen.workers.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.workers.http.JdkHttpServers;
import selflengthen.workers.http.StoppableServer;
import selflengthen.model.api.GenerationResult;

/**
 * An OpenAI-compatible HTTP server over any {@link selflengthen.model.api.LanguageModel}: {@code
 * GET /v1/models}, {@code POST /v1/completions}, {@code POST /v1/chat/completions} (whole or SSE
 * streamed replies), adapters addressed as model names, vLLM's runtime adapter endpoints when
 * enabled, and {@code GET /health} (no key needed) for probes.
 *
 * <p>Built on the JDK's {@code com.sun.net.httpserver}: the API is a handful of JSON routes, the
 * engine (not HTTP) is the bottleneck, and it adds no dependency to a worker image that already
 * carries DJL, gRPC and Temporal. Each request is validated on an HTTP thread, then handed to one
 * of {@code maxConcurrentGenerations} generation threads, so the engine sees that many concurrent
 * {@code generate} calls and batches them. A streamed reply sends the text as the engine decodes
 * it (its {@link selflengthen.model.api.TextListener}), one SSE event per piece, with keep-alive
 * comments in silences longer than {@link ServerOptions#streamKeepAlive()}.
 */
public final class OpenAiServer implements StoppableServer {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

  /**
   * Threads that read requests and wait for replies. The JDK server reads a request on one of
   * them, so a slow client holds one until {@link JdkHttpServers#MAX_REQUEST_SECONDS}; there are
   * enough (created on demand, idle ones retire) that a few hundred such clients leave room for
   * everyone else. The engine's concurrency is bounded by the generation threads, not by these.
   */
  static final int HTTP_THREADS = 512;
  /** A whole reply not ready after this long starts its headers, then whitespace (see below). */
  static final long HEARTBEAT_AFTER_MILLIS = 500;
  static final long HEARTBEAT_EVERY_MILLIS = 250;
  /**
   * Large request bodies (over {@link #SMALL_BODY_BYTES}) read and parsed at once, in KiB (256
   * MiB): with hundreds of reading threads, large uploads take turns instead of filling the heap.
   * Small bodies do not count, so slow large uploads cannot hold up ordinary requests.
   */
  static final int BODY_BUDGET_KIB = 256 * 1024;
  static final long SMALL_BODY_BYTES = 1 << 20;
  /** How long a request waits for its share of the body budget before a 503. */
  static final long BODY_BUDGET_WAIT_SECONDS = 30;

  private final HttpServer http;
  private final ExecutorService handlers;
  private final ExecutorService generators;
  private final ModelCatalog catalog;
  private final ServerOptions options;
  private final ObjectMapper json =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final OpenAiResponses responses = new OpenAiResponses(json);
  private final long created = Instant.now().getEpochSecond();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicLong generationRequests = new AtomicLong();
  private final Semaphore bodyBudget = new Semaphore(BODY_BUDGET_KIB);

  private OpenAiServer(HttpServer http, ModelCatalog catalog, ServerOptions options) {
    this.http = http;
    this.catalog = catalog;
    this.options = options;
    int generations = options.maxConcurrentGenerations();
    // More HTTP threads than generation slots: refusals and listings stay quick while all slots
    // work.
    int threads = HTTP_THREADS + 2 * generations;
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads("openai-http-"));
    pool.allowCoreThreadTimeOut(true);
    this.handlers = pool;
    this.generators = Executors.newFixedThreadPool(generations, daemonThreads("openai-generate-"));
  }

  /** Binds {@code address} (port 0 picks a free port) and starts serving. */
  public static OpenAiServer start(
      InetSocketAddress address, ModelCatalog catalog, ServerOptions options) throws IOException {
    if (catalog.defaultBase().isEmpty()) {
      throw new IllegalArgumentException("nothing to serve: the model catalog has no base model");
    }
    HttpServer http = JdkHttpServers.create(address, 1024);
    OpenAiServer server = new OpenAiServer(http, catalog, options);
    http.createContext("/", server::handle);
    http.setExecutor(server.handlers);
    http.start();
    LOG.info(
        "OpenAI-compatible server on {} serving {}",
        server.baseUrl(),
        catalog.all().stream().map(ServedModel::name).toList());
    return server;
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** e.g. http://127.0.0.1:8000/v1 */
  public URI baseUrl() {
    return URI.create(StoppableServer.root(address()) + "/v1");
  }

  /** Stops accepting, gives running exchanges up to {@code grace}, then stops the threads. */
  @Override
  public synchronized void stop(Duration grace) {
    if (stopped.getCount() == 0) {
      return;
    }
    http.stop((int) Math.max(0, grace.toSeconds()));
    handlers.shutdownNow();
    generators.shutdownNow();
    stopped.countDown();
    LOG.info("OpenAI-compatible server on port {} stopped", address().getPort());
  }

  @Override
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  private void handle(HttpExchange exchange) {
    try {
      route(exchange);
    } catch (ApiError e) {
      respondWithError(exchange, e);
    } catch (IOException clientGone) {
      // A client that left (or sent a body slower than the server waits) is no server failure.
      LOG.info(
          "{} {}: connection closed by the client ({})",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          describe(clientGone));
    } catch (Exception e) {
      LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getPath(), e);
      respondWithError(exchange, ApiError.engineFailure("internal error: " + describe(e)));
    } finally {
      LOG.trace(
          "{} {} -> {}",
          exchange.getRequestMethod(),
          exchange.getRequestURI().getPath(),
          exchange.getResponseCode());
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/health")) {
      allow(exchange, "GET");
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    if (options.apiKey() != null
        && !options
            .apiKey()
            .acceptsAuthorizationHeader(exchange.getRequestHeaders().getFirst("Authorization"))) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      throw ApiError.unauthorized();
    }
    switch (path) {
      case "/v1/models" -> {
        allow(exchange, "GET");
        sendJson(exchange, 200, responses.models(catalog.all(), created));
      }
      case "/v1/completions" -> {
        allow(exchange, "POST");
        complete(exchange, OpenAiRequests.completion(readJson(exchange), catalog, options));
      }
      case "/v1/chat/completions" -> {
        allow(exchange, "POST");
        complete(exchange, OpenAiRequests.chat(readJson(exchange), catalog, options));
      }
      case "/v1/load_lora_adapter", "/v1/unload_lora_adapter" -> {
        if (!options.allowRuntimeAdapters()) {
          throw ApiError.notFound(path);
        }
        allow(exchange, "POST");
        if (path.endsWith("/load_lora_adapter")) {
          loadAdapter(exchange, readJson(exchange));
        } else {
          unloadAdapter(exchange, readJson(exchange));
        }
      }
      default -> {
        if (!path.startsWith("/v1/models/")) {
          throw ApiError.notFound(path);
        }
        allow(exchange, "GET");
        String name = path.substring("/v1/models/".length());
        ServedModel model = catalog.find(name).orElseThrow(() -> ApiError.unknownModel(name));
        sendJson(exchange, 200, responses.model(model, created));
      }
    }
  }

  private void complete(HttpExchange exchange, CompletionCall call) throws IOException {
    String id =
        (call.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
    long now = Instant.now().getEpochSecond();
    BlockingQueue<String> pieces = call.stream() ? new LinkedBlockingQueue<>() : null;
    Future<GenerationResult> generation;
    try {
      generation =
          generators.submit(
              () ->
                  pieces == null
                      ? call.model().model().generate(call.request())
                      : call.model().model().generate(call.request(), pieces::add));
    } catch (RejectedExecutionException stopping) {
      throw new ApiError(503, "server_error", "the server is shutting down", null, null);
    }
    generationRequests.incrementAndGet();
    if (call.stream()) {
      stream(exchange, call, generation, pieces, id, now);
      return;
    }
    whole(exchange, call, generation, id, now);
  }

  /**
   * Sends a whole (not streamed) reply. The JDK server cannot tell that a client left until
   * something is written to it, so a reply not ready within {@link #HEARTBEAT_AFTER_MILLIS} sends
   * its headers (200, chunked JSON) and then a newline every {@link #HEARTBEAT_EVERY_MILLIS}
   * (whitespace before a JSON value is valid JSON): the write that fails tells that the client
   * went away, and the generation is cancelled in the engine. An engine failure after the headers
   * went out arrives as the usual error object, status 200 (as in a stream).
   */
  private void whole(
      HttpExchange exchange,
      CompletionCall call,
      Future<GenerationResult> generation,
      String id,
      long now)
      throws IOException {
    long started = System.nanoTime();
    OutputStream out = null;
    try {
      GenerationResult result;
      try {
        result = generation.get(HEARTBEAT_AFTER_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillGenerating) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        out = exchange.getResponseBody();
        result = null;
        while (result == null) {
          try {
            result = generation.get(HEARTBEAT_EVERY_MILLIS, TimeUnit.MILLISECONDS);
          } catch (TimeoutException stillGoing) {
            out.write('\n');
            out.flush();
          }
        }
      }
      JsonNode reply = responses.completion(call, result, id, now);
      if (out == null) {
        sendJson(exchange, 200, reply);
      } else {
        out.write(json.writeValueAsBytes(reply));
        out.close();
      }
    } catch (ExecutionException e) {
      ApiError error = engineError(e.getCause());
      if (out == null) {
        throw error;
      }
      out.write(json.writeValueAsBytes(responses.error(error)));
      out.close();
    } catch (IOException clientGone) {
      cancelled(generation, id, started, clientGone);
    } catch (InterruptedException e) {
      generation.cancel(true);
      Thread.currentThread().interrupt();
      if (out == null) {
        throw new ApiError(503, "server_error", "the server is shutting down", null, null);
      }
    }
  }

  /** One line for a client that left: no stack trace, the engine stops the request. */
  private static void cancelled(
      Future<GenerationResult> generation, String id, long started, IOException cause) {
    boolean stopped = generation.cancel(true);
    LOG.info(
        "{}: the client closed the connection after {} ms; {} ({})",
        id,
        (System.nanoTime() - started) / 1_000_000,
        stopped ? "generation cancelled" : "the reply was complete",
        describe(cause));
  }

  /**
   * Sends each piece of text as the engine produces it, one SSE event per piece (pieces that
   * arrived together go as one), and keep-alive comments while nothing arrives.
   */
  private void stream(
      HttpExchange exchange,
      CompletionCall call,
      Future<GenerationResult> generation,
      BlockingQueue<String> pieces,
      String id,
      long now)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    long started = System.nanoTime();
    OutputStream out;
    try {
      exchange.sendResponseHeaders(200, 0);
      out = exchange.getResponseBody();
    } catch (IOException clientGone) {
      cancelled(generation, id, started, clientGone);
      return;
    }
    try {
      if (call.chat()) {
        event(out, responses.chunk(call, id, now, "assistant", "", null));
      }
      long keepAlive = options.streamKeepAlive().toMillis();
      long lastSent = System.nanoTime();
      while (!generation.isDone() || !pieces.isEmpty()) {
        String piece = pieces.poll(Math.min(keepAlive, 50), TimeUnit.MILLISECONDS);
        if (piece == null) {
          if (generation.isDone()) {
            continue;
          }
          if (System.nanoTime() - lastSent >= TimeUnit.MILLISECONDS.toNanos(keepAlive)) {
            out.write(KEEP_ALIVE);
            out.flush();
            lastSent = System.nanoTime();
          }
          continue;
        }
        StringBuilder text = new StringBuilder(piece);
        for (String more = pieces.poll(); more != null; more = pieces.poll()) {
          text.append(more);
        }
        event(out, responses.chunk(call, id, now, null, text.toString(), null));
        lastSent = System.nanoTime();
      }
      GenerationResult result = generation.get();
      event(out, responses.chunk(call, id, now, null, null, result.finishReason()));
      if (call.includeUsage()) {
        event(out, responses.usageChunk(call, id, now, result));
      }
    } catch (ExecutionException e) {
      // The status line is gone already: the error travels as an event, as vLLM does it.
      event(out, responses.error(engineError(e.getCause())));
    } catch (IOException clientGone) {
      cancelled(generation, id, started, clientGone);
      return;
    } catch (InterruptedException e) {
      generation.cancel(true);
      Thread.currentThread().interrupt();
      return;
    }
    try {
      out.write(DONE);
      out.flush();
    } catch (IOException clientGone) {
      LOG.info("{}: the client closed the connection before the end of the stream", id);
    }
  }

  /**
   * Completion and chat-completion requests handed to the engine since the server started (for
   * operators and tests that check traffic went through HTTP).
   */
  public long generationRequests() {
    return generationRequests.get();
  }

  private void event(OutputStream out, JsonNode data) throws IOException {
    out.write(("data: " + json.writeValueAsString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** Engines refuse bad input (e.g. a prompt beyond the context) with IllegalArgumentException. */
  private static ApiError engineError(Throwable cause) {
    if (cause instanceof IllegalArgumentException) {
      return ApiError.invalid(null, cause.getMessage());
    }
    LOG.error("generation failed", cause);
    return ApiError.engineFailure("generation failed: " + describe(cause));
  }

  private void loadAdapter(HttpExchange exchange, JsonNode body) throws IOException {
    String name = requiredText(body, "lora_name");
    String location = requiredText(body, "lora_path");
    Path dir;
    try {
      dir = Path.of(location);
    } catch (InvalidPathException e) {
      throw ApiError.invalid("lora_path", "lora_path is not a path: " + e.getMessage());
    }
    synchronized (catalog) {
      Optional<ServedModel> existing = catalog.find(name);
      if (existing.isPresent()) {
        if (existing.get().isAdapter()
            && existing.get().adapter().equals(dir.toAbsolutePath().normalize())) {
          sendText(
              exchange,
              200,
              "Success: LoRA adapter '" + name + "' is already loaded from this path.");
          return;
        }
        throw ApiError.invalid(
            "lora_name", "The lora adapter '" + name + "' has already been loaded.");
      }
      try {
        catalog.addAdapter(name, catalog.defaultBase().orElseThrow().name(), dir);
      } catch (IllegalArgumentException e) {
        throw ApiError.invalid("lora_path", e.getMessage());
      }
    }
    LOG.info("serving adapter {} from {}", name, dir);
    sendText(exchange, 200, "Success: LoRA adapter '" + name + "' added successfully.");
  }

  private void unloadAdapter(HttpExchange exchange, JsonNode body) throws IOException {
    String name = requiredText(body, "lora_name");
    if (!catalog.removeAdapter(name)) {
      throw new ApiError(
          404,
          "invalid_request_error",
          "The lora adapter '" + name + "' cannot be found.",
          "lora_name",
          "model_not_found");
    }
    sendText(exchange, 200, "Success: LoRA adapter '" + name + "' removed successfully.");
  }

  private static String requiredText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw ApiError.invalid(field, field + " must be a non-empty string");
    }
    return value.asText();
  }

  private static void allow(HttpExchange exchange, String method) {
    if (!exchange.getRequestMethod().equalsIgnoreCase(method)) {
      exchange.getResponseHeaders().set("Allow", method);
      throw ApiError.methodNotAllowed(
          exchange.getRequestMethod(), exchange.getRequestURI().getPath(), method);
    }
  }

  private JsonNode readJson(HttpExchange exchange) throws IOException {
    long limit = options.maxBodyBytes();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    long expected = limit;
    if (declared != null) {
      try {
        expected = Long.parseLong(declared.strip());
      } catch (NumberFormatException e) {
        throw ApiError.invalid(null, "Content-Length is not a number");
      }
      if (expected > limit) {
        drain(exchange.getRequestBody(), 4 * limit);
        throw ApiError.tooLarge(limit);
      }
    }
    int permits =
        expected <= SMALL_BODY_BYTES ? 0 : (int) Math.min(BODY_BUDGET_KIB, expected / 1024 + 1);
    try {
      if (!bodyBudget.tryAcquire(permits, BODY_BUDGET_WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new ApiError(
            503,
            "server_error",
            "the server is reading too many large requests at once; retry later",
            null,
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(503, "server_error", "the server is shutting down", null, null);
    }
    try {
      return parseBody(exchange, limit);
    } finally {
      bodyBudget.release(permits);
    }
  }

  private JsonNode parseBody(HttpExchange exchange, long limit) throws IOException {
    byte[] body =
        exchange.getRequestBody().readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
    if (body.length > limit) {
      drain(exchange.getRequestBody(), 4 * limit);
      throw ApiError.tooLarge(limit);
    }
    if (body.length == 0) {
      throw ApiError.invalid(null, "The request body is empty; send a JSON object.");
    }
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage().replaceFirst("\\s*\\(start marker at .*$", "");
      String where =
          e.getLocation() == null
              ? ""
              : " (line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ")";
      throw ApiError.invalid(
          null, "We could not parse the JSON body of your request: " + reason + where);
    }
    if (root == null || !root.isObject()) {
      throw ApiError.invalid(null, "The request body must be a JSON object.");
    }
    return root;
  }

  /** Reads a refused body (up to a bound) so the client gets to read the refusal. */
  private static void drain(InputStream in, long bound) throws IOException {
    byte[] sink = new byte[64 * 1024];
    long total = 0;
    int read;
    while (total < bound && (read = in.read(sink)) >= 0) {
      total += read;
    }
  }

  private void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void respondWithError(HttpExchange exchange, ApiError error) {
    if (exchange.getResponseCode() != -1) {
      return; // headers already sent: nothing more can be said
    }
    try {
      sendJson(exchange, error.status, responses.error(error));
    } catch (IOException clientGone) {
      LOG.debug("could not send a {} to a client that left", error.status);
    }
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
