package selflengthen.model.openai;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Test double of an OpenAI-compatible server on loopback: answers each POST with the next scripted
 * reply (or the fallback) and records what arrived.
 */
final class ScriptedEndpoint implements AutoCloseable {
  record Reply(int status, String body, Map<String, String> headers) {}

  record Received(String path, String authorization, String body, long nanoTime) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final ConcurrentLinkedDeque<Reply> script = new ConcurrentLinkedDeque<>();
  final List<Received> received = Collections.synchronizedList(new ArrayList<>());
  private volatile Reply fallback;

  ScriptedEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::answer);
    server.setExecutor(threads);
    server.start();
    fallback = new Reply(500, "{\"error\":{\"message\":\"script exhausted\"}}", Map.of());
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  ScriptedEndpoint then(int status, String body, Map<String, String> headers) {
    script.add(new Reply(status, body, headers));
    return this;
  }

  ScriptedEndpoint then(int status, String body) {
    return then(status, body, Map.of());
  }

  ScriptedEndpoint otherwise(int status, String body) {
    fallback = new Reply(status, body, Map.of());
    return this;
  }

  static String completion(
      String text, String finishReason, int promptTokens, int completionTokens) {
    return "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\""
        + text
        + "\",\"finish_reason\":\""
        + finishReason
        + "\"}],\"usage\":{\"prompt_tokens\":"
        + promptTokens
        + ",\"completion_tokens\":"
        + completionTokens
        + ",\"total_tokens\":"
        + (promptTokens + completionTokens)
        + "}}";
  }

  static String chatCompletion(String text) {
    return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\""
        + text
        + "\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}";
  }

  private void answer(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    received.add(
        new Received(
            exchange.getRequestURI().getPath(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body,
            System.nanoTime()));
    Reply reply = script.poll();
    if (reply == null) {
      reply = fallback;
    }
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    reply.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
