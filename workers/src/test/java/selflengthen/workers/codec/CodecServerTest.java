package selflengthen.workers.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import selflengthen.model.openai.ApiKey;
import selflengthen.workers.security.EncryptionKey;
import selflengthen.workers.security.PayloadEncryption;

/** The codec server over loopback with a real HTTP client: the protocol the Web UI and CLI speak. */
@Tag("integration")
class CodecServerTest {
  static final String UI = "http://127.0.0.1:8080";
  static final String SECRET_TEXT = "the seed instruction nobody may read in the UI";

  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  final ObjectMapper json = new ObjectMapper();
  final EncryptionKey key = EncryptionKey.of(randomBytes(32));
  final PayloadEncryption workers = PayloadEncryption.with(key);
  final List<CodecServer> servers = new ArrayList<>();
  ListAppender<ILoggingEvent> logs;
  Logger logger;

  @BeforeEach
  void captureLogs() {
    logger = (Logger) LoggerFactory.getLogger(CodecServer.class);
    logger.setLevel(Level.TRACE);
    logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    servers.forEach(CodecServer::close);
    logger.detachAppender(logs);
    logger.setLevel(null);
    String logged = logs.list.stream().map(ILoggingEvent::getFormattedMessage).reduce("", (a, b) -> a + b + "\n");
    assertFalse(logged.contains(SECRET_TEXT), "payload text in the log: " + logged);
    assertFalse(logged.contains(Base64.getEncoder().encodeToString(plain().getData().toByteArray())), logged);
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** What the SDK's JSON converter writes for a string argument. */
  static Payload plain() {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8("\"" + SECRET_TEXT + "\""))
        .build();
  }

  CodecServer start(PayloadEncryption codec, ApiKey token, Set<String> namespaces) throws IOException {
    CodecServer s = CodecServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), codec,
        new CodecServerOptions(List.of(UI, "http://localhost:8080"), token, namespaces,
            CodecServerOptions.DEFAULT_MAX_BODY_BYTES));
    servers.add(s);
    return s;
  }

  CodecServer start() throws IOException {
    return start(workers, null, Set.of());
  }

  static String toJson(List<Payload> payloads) throws IOException {
    return JsonFormat.printer().print(Payloads.newBuilder().addAllPayloads(payloads));
  }

  static List<Payload> fromJson(String body) throws IOException {
    Payloads.Builder b = Payloads.newBuilder();
    JsonFormat.parser().merge(body, b);
    return b.build().getPayloadsList();
  }

  HttpResponse<String> post(CodecServer s, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(s.url().resolve(path))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      r.headers(headers);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> decode(CodecServer s, List<Payload> payloads) throws Exception {
    return post(s, "/decode", toJson(payloads), "X-Namespace", "default");
  }

  @Test
  void aPayloadTheWorkersEncryptedComesBackAsItsPlaintext() throws Exception {
    CodecServer s = start();
    List<Payload> sealed = workers.encode(List.of(plain(), plain()));
    String request = toJson(sealed);
    assertFalse(request.contains(Base64.getEncoder().encodeToString(plain().getData().toByteArray())));

    HttpResponse<String> r = decode(s, sealed);

    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals(List.of(plain(), plain()), fromJson(r.body()));
    // Proto3 JSON as the UI reads it: bytes in base64, metadata included.
    JsonNode first = json.readTree(r.body()).get("payloads").get(0);
    assertEquals("\"" + SECRET_TEXT + "\"",
        new String(Base64.getDecoder().decode(first.get("data").asText()), StandardCharsets.UTF_8));
    assertEquals("json/plain",
        new String(Base64.getDecoder().decode(first.get("metadata").get("encoding").asText()), StandardCharsets.UTF_8));
  }

  @Test
  void encodeThenDecodeRoundTripsAndTheWorkersReadWhatItEncodes() throws Exception {
    CodecServer s = start();
    HttpResponse<String> encoded = post(s, "/default/encode", toJson(List.of(plain())));
    assertEquals(200, encoded.statusCode(), encoded.body());
    Payload sealed = fromJson(encoded.body()).get(0);
    assertEquals(PayloadEncryption.ENCODING, sealed.getMetadataOrThrow("encoding").toStringUtf8());
    assertEquals(key.id(), sealed.getMetadataOrThrow(PayloadEncryption.KEY_ID).toStringUtf8());
    assertFalse(sealed.getData().toStringUtf8().contains(SECRET_TEXT));

    assertEquals(List.of(plain()), workers.decode(List.of(sealed)), "a worker decrypts what the UI encoded");
    HttpResponse<String> decoded = decode(s, List.of(sealed));
    assertEquals(200, decoded.statusCode(), decoded.body());
    assertEquals(List.of(plain()), fromJson(decoded.body()));
  }

  @Test
  void plainPayloadsPassThroughDecodeUnchanged() throws Exception {
    CodecServer s = start();
    Payload binary = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("binary/null")).build();
    List<Payload> mixed = List.of(plain(), workers.encode(List.of(plain())).get(0), binary);

    HttpResponse<String> r = decode(s, mixed);

    assertEquals(200, r.statusCode(), r.body());
    assertEquals(List.of(plain(), plain(), binary), fromJson(r.body()));
    HttpResponse<String> none = decode(s, List.of());
    assertEquals(200, none.statusCode());
    assertEquals(List.of(), fromJson(none.body()));
  }

  @Test
  void aWrongKeyOrATamperedPayloadIsAClearErrorWithoutAStackTrace() throws Exception {
    CodecServer s = start(PayloadEncryption.with(EncryptionKey.of(randomBytes(32))), null, Set.of());

    HttpResponse<String> wrongKey = decode(s, workers.encode(List.of(plain())));

    assertEquals(400, wrongKey.statusCode());
    String message = json.readTree(wrongKey.body()).get("error").asText();
    assertTrue(message.contains("encrypted with key " + key.id()), message);
    assertNoLeak(wrongKey.body());

    CodecServer same = start();
    Payload sealed = workers.encode(List.of(plain())).get(0);
    byte[] data = sealed.getData().toByteArray();
    data[data.length - 1] ^= 1;
    HttpResponse<String> tampered = decode(same, List.of(sealed.toBuilder().setData(ByteString.copyFrom(data)).build()));
    assertEquals(400, tampered.statusCode());
    assertTrue(json.readTree(tampered.body()).get("error").asText().contains("does not decrypt"), tampered.body());
    assertNoLeak(tampered.body());
  }

  void assertNoLeak(String body) {
    for (String trace : List.of("\tat ", "at selflengthen.", "at io.temporal.", "Exception:")) {
      assertFalse(body.contains(trace), "stack trace in " + body);
    }
    assertFalse(body.contains(SECRET_TEXT), body);
  }

  @Test
  void malformedBodiesAndUnknownPathsAreRefusedWithoutEchoingTheBody() throws Exception {
    CodecServer s = start();
    HttpResponse<String> notJson = post(s, "/decode", "{\"payloads\": [{\"data\": \"" + SECRET_TEXT + "\"}]}");
    assertEquals(400, notJson.statusCode());
    assertTrue(json.readTree(notJson.body()).get("error").asText().contains("protobuf JSON"), notJson.body());
    assertNoLeak(notJson.body());

    assertEquals(404, post(s, "/decrypt", "{}").statusCode());
    HttpResponse<String> get = http.send(HttpRequest.newBuilder(s.url().resolve("/decode")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, get.statusCode());
    assertEquals(200, http.send(HttpRequest.newBuilder(s.url().resolve("/health")).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void corsPreflightAnswersTheConfiguredOriginAndHeadersWithoutAToken() throws Exception {
    CodecServer s = start(workers, token("t0ken-for-the-ui"), Set.of());
    HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(s.url().resolve("/decode"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", UI)
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type,x-namespace,authorization")
        .build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(204, preflight.statusCode());
    assertEquals(UI, preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    Set<String> allowed = Set.of(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")
        .toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
    assertTrue(allowed.containsAll(Set.of("content-type", "x-namespace", "authorization")), allowed.toString());
    assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElse("").contains("POST"));

    HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(s.url().resolve("/decode"))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
        .header("Origin", "http://evil.example:8080")
        .header("Access-Control-Request-Method", "POST").build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, foreign.statusCode());
    assertTrue(foreign.headers().firstValue("Access-Control-Allow-Origin").isEmpty());

    HttpResponse<String> fromUi = post(s, "/decode", toJson(workers.encode(List.of(plain()))),
        "Origin", "http://localhost:8080", "X-Namespace", "default", "Authorization", "Bearer t0ken-for-the-ui");
    assertEquals(200, fromUi.statusCode(), fromUi.body());
    assertEquals("http://localhost:8080", fromUi.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals(List.of(plain()), fromJson(fromUi.body()));
    HttpResponse<String> fromElsewhere = post(s, "/decode", toJson(List.of(plain())),
        "Origin", "http://evil.example:8080", "Authorization", "Bearer t0ken-for-the-ui");
    assertEquals(403, fromElsewhere.statusCode());
  }

  ApiKey token(String value) throws IOException {
    Path f = dir.resolve("codec.token");
    Files.writeString(f, value + "\n");
    return ApiKey.fromFile(f);
  }

  @Test
  void withATokenRequestsWithoutItOrWithAnotherAreUnauthorized() throws Exception {
    CodecServer s = start(workers, token("s3cret-codec-token"), Set.of());
    String body = toJson(workers.encode(List.of(plain())));

    HttpResponse<String> none = post(s, "/decode", body);
    HttpResponse<String> wrong = post(s, "/decode", body, "Authorization", "Bearer s3cret-codec-tokem");
    HttpResponse<String> encodeWithout = post(s, "/encode", toJson(List.of(plain())));
    HttpResponse<String> right = post(s, "/decode", body, "Authorization", "Bearer s3cret-codec-token");

    assertEquals(401, none.statusCode());
    assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
    assertFalse(none.body().contains(SECRET_TEXT));
    assertEquals(401, wrong.statusCode());
    assertEquals(401, encodeWithout.statusCode());
    assertEquals(200, right.statusCode(), right.body());
    assertEquals(List.of(plain()), fromJson(right.body()));
  }

  @Test
  void aServerForOneNamespaceRefusesOthers() throws Exception {
    CodecServer s = start(workers, null, Set.of("default"));
    String body = toJson(workers.encode(List.of(plain())));

    assertEquals(200, post(s, "/decode", body, "X-Namespace", "default").statusCode());
    assertEquals(200, post(s, "/default/decode", body).statusCode(), "the CLI's {namespace} template");
    HttpResponse<String> other = post(s, "/decode", body, "X-Namespace", "prod");
    assertEquals(403, other.statusCode());
    assertTrue(other.body().contains("namespace prod"), other.body());
    assertEquals(403, post(s, "/decode", body).statusCode(), "no namespace named");
  }

  @Test
  void theNamespaceIsTheHeaderElseThePathSegmentBeforeTheOperation() {
    assertEquals("ns1", CodecServer.namespace("ns1", "/ns2/decode"));
    assertEquals("ns2", CodecServer.namespace(null, "/ns2/decode"));
    assertEquals("ns2", CodecServer.namespace(" ", "/codec/ns2/encode"));
    assertEquals(null, CodecServer.namespace(null, "/decode"));
  }

  @Test
  void originsMustBeOrigins() {
    for (String bad : List.of("http://127.0.0.1:8080/ui", "127.0.0.1:8080", "")) {
      try {
        new CodecServerOptions(List.of(bad), null, Set.of(), 1);
        throw new AssertionError(bad + " accepted");
      } catch (IllegalArgumentException expected) {
        assertTrue(expected.getMessage().contains("not an origin"));
      }
    }
    assertTrue(new CodecServerOptions(List.of("*"), null, Set.of(), 1).allows("http://any:1"));
    assertNotEquals(true, new CodecServerOptions(List.of(UI), null, Set.of(), 1).allows("http://127.0.0.1:8081"));
  }
}
