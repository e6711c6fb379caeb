package selflengthen.workers.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import selflengthen.workers.http.JdkHttpServers;
import selflengthen.workers.http.StoppableServer;

/**
 * A Temporal Remote Codec Server: the Web UI and the Temporal CLI ({@code --codec-endpoint}) POST
 * {@code Payloads} in protobuf JSON to {@code .../encode} or {@code .../decode} and show what comes
 * back, so encrypted histories read in clear there while Temporal itself stores only ciphertext.
 *
 * <p>Only the last path segment picks the operation (the protocol lets the endpoint be mounted at
 * any depth, e.g. {@code /{namespace}/decode}). Browsers call it cross-origin from the Web UI's
 * page: preflights from the allowed origins are answered without a token (browsers send none), and
 * a request from any other origin is refused. Codec failures (a wrong key, a tampered payload)
 * answer 400 with the codec's message, which names key ids, never keys or payload bytes; nothing
 * here logs payload contents.
 */
public final class CodecServer implements StoppableServer {
  private static final Logger LOG = LoggerFactory.getLogger(CodecServer.class);
  static final String ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization";
  static final String ALLOWED_METHODS = "POST, OPTIONS";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer http;
  private final ExecutorService threads;
  private final PayloadCodec codec;
  private final CodecServerOptions options;
  private final JsonFormat.Parser parser = JsonFormat.parser();
  private final JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private CodecServer(HttpServer http, PayloadCodec codec, CodecServerOptions options) {
    this.http = http;
    this.codec = codec;
    this.options = options;
    AtomicInteger count = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "codec-http-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Binds {@code address} (port 0 picks a free one) and serves {@code codec}. */
  public static CodecServer start(InetSocketAddress address, PayloadCodec codec, CodecServerOptions options)
      throws IOException {
    HttpServer http = JdkHttpServers.create(address, 64);
    CodecServer server = new CodecServer(http, codec, options);
    http.createContext("/", server::handle);
    http.setExecutor(server.threads);
    http.start();
    LOG.info("codec server on {} for origins {}{}", server.url(), options.allowedOrigins(),
        options.token() == null ? "" : ", bearer token from " + options.token().source());
    return server;
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** The endpoint to give the Web UI and {@code --codec-endpoint}, e.g. http://127.0.0.1:8081 */
  public URI url() {
    return StoppableServer.root(address());
  }

  @Override
  public synchronized void stop(Duration grace) {
    if (stopped.getCount() == 0) {
      return;
    }
    http.stop((int) Math.max(0, grace.toSeconds()));
    threads.shutdownNow();
    stopped.countDown();
  }

  @Override
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  private void handle(HttpExchange exchange) {
    try {
      route(exchange);
    } catch (RequestRefused e) {
      respond(exchange, e.status, e.getMessage());
    } catch (RuntimeException | IOException e) {
      // The class only: a message could quote the request.
      LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          e.getClass().getName());
      respond(exchange, 500, "internal error (" + e.getClass().getSimpleName() + ")");
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    if (path.equals("/health")) {
      exchange.sendResponseHeaders(method.equals("GET") ? 200 : 405, -1);
      return;
    }
    Operation op = Operation.of(path);
    if (op == null) {
      throw new RequestRefused(404, "no such endpoint: POST .../encode or .../decode");
    }
    Headers in = exchange.getRequestHeaders();
    String origin = in.getFirst("Origin");
    if (origin != null) {
      if (!options.allows(origin)) {
        throw new RequestRefused(403, "origin " + origin + " is not allowed (--allow-origin)");
      }
      Headers out = exchange.getResponseHeaders();
      out.set("Access-Control-Allow-Origin", origin);
      out.set("Access-Control-Allow-Credentials", "true");
      out.add("Vary", "Origin");
    }
    if (method.equals("OPTIONS")) {
      Headers out = exchange.getResponseHeaders();
      out.set("Access-Control-Allow-Methods", ALLOWED_METHODS);
      out.set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
      out.set("Access-Control-Max-Age", "600");
      out.set("Allow", ALLOWED_METHODS);
      exchange.sendResponseHeaders(204, -1);
      return;
    }
    if (!method.equals("POST")) {
      exchange.getResponseHeaders().set("Allow", ALLOWED_METHODS);
      throw new RequestRefused(405, method + " is not supported: POST the payloads");
    }
    if (options.token() != null && !options.token().acceptsAuthorizationHeader(in.getFirst("Authorization"))) {
      exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      throw new RequestRefused(401, "a valid 'Authorization: Bearer' token is required");
    }
    String namespace = namespace(in.getFirst("X-Namespace"), path);
    if (!options.namespaces().isEmpty()
        && (namespace == null || !options.namespaces().contains(namespace))) {
      throw new RequestRefused(403, namespace == null
          ? "name the namespace (X-Namespace header or /{namespace}/" + op.segment + ")"
          : "namespace " + namespace + " is not served here");
    }
    Payloads payloads = read(exchange);
    List<Payload> result;
    try {
      result = op == Operation.ENCODE ? codec.encode(payloads.getPayloadsList())
          : codec.decode(payloads.getPayloadsList());
    } catch (PayloadCodecException e) {
      LOG.info("{} of {} payload(s) for namespace {} refused: {}", op.segment, payloads.getPayloadsCount(),
          namespace, e.getMessage());
      throw new RequestRefused(400, e.getMessage());
    }
    LOG.debug("{} of {} payload(s) for namespace {}", op.segment, result.size(), namespace);
    byte[] body = printer.print(Payloads.newBuilder().addAllPayloads(result)).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** X-Namespace, else the path segment before encode/decode (the CLI's {namespace} template). */
  static String namespace(String header, String path) {
    if (header != null && !header.isBlank()) {
      return header.strip();
    }
    String[] segments = path.split("/");
    return segments.length >= 3 && !segments[segments.length - 2].isEmpty() ? segments[segments.length - 2] : null;
  }

  private Payloads read(HttpExchange exchange) throws IOException {
    long limit = options.maxBodyBytes();
    byte[] body = exchange.getRequestBody().readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 16));
    if (body.length > limit) {
      throw new RequestRefused(413, "the body is larger than " + limit + " bytes");
    }
    Payloads.Builder payloads = Payloads.newBuilder();
    try {
      parser.merge(new String(body, StandardCharsets.UTF_8), payloads);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat's messages can quote the body: say what was expected instead.
      throw new RequestRefused(400, "the body is not Payloads in protobuf JSON"
          + " ({\"payloads\":[{\"metadata\":{\"encoding\":\"<base64>\"},\"data\":\"<base64>\"}]})");
    }
    return payloads.build();
  }

  private static void respond(HttpExchange exchange, int status, String message) {
    if (exchange.getResponseCode() != -1) {
      return; // the status line is gone already
    }
    try {
      byte[] body = JSON.writeValueAsBytes(JSON.createObjectNode().put("error", message));
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (IOException clientGone) {
      LOG.debug("could not send a {} to a client that left", status);
    }
  }

  private enum Operation {
    ENCODE("encode"), DECODE("decode");

    final String segment;

    Operation(String segment) {
      this.segment = segment;
    }

    static Operation of(String path) {
      String last = path.substring(path.lastIndexOf('/') + 1);
      for (Operation op : values()) {
        if (op.segment.equals(last)) {
          return op;
        }
      }
      return null;
    }
  }

  /** A refusal with its HTTP status; its message goes to the client. */
  private static final class RequestRefused extends RuntimeException {
    final int status;

    RequestRefused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}
