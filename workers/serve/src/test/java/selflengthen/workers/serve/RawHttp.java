package selflengthen.workers.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Plain HTTP calls for server tests: what a curl user or a foreign client sends. */
final class RawHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  record Reply(int status, String body, HttpResponse<String> response) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    /** The JSON payloads of an SSE body's data events, "[DONE]" included as text. */
    List<String> events() {
      List<String> events = new ArrayList<>();
      body.lines().filter(l -> l.startsWith("data: ")).forEach(l -> events.add(l.substring(6)));
      return events;
    }

    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  private RawHttp() {}

  static Reply send(String method, URI uri, String body, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> response =
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new AssertionError(method + " " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Reply post(URI base, String path, String body, String... headers) {
    return send("POST", URI.create(base + path), body, headers);
  }

  static Reply get(URI base, String path, String... headers) {
    return send("GET", URI.create(base + path), null, headers);
  }
}
