package selflengthen.model.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.SamplingParams;

class OpenAiLanguageModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET = "sk-test-8f3a9d1c77e2";
  private static final RetryPolicy FAST =
      new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(5));

  @TempDir Path tmp;
  private ScriptedEndpoint endpoint;

  @BeforeEach
  void start() throws IOException {
    endpoint = new ScriptedEndpoint();
  }

  @AfterEach
  void stop() {
    endpoint.close();
  }

  private OpenAiLanguageModel client(RetryPolicy retry) {
    return new OpenAiLanguageModel(
        OpenAiClientConfig.of(endpoint.baseUrl(), "base").withRetry(retry));
  }

  private static GenerationRequest request(String prompt, String prefix) {
    return new GenerationRequest(
        prompt, prefix, new SamplingParams(0.7f, 20, 0.8f, 1.1f, 42L), 64, List.of("\n---"), null);
  }

  private JsonNode body(int index) throws IOException {
    return JSON.readTree(endpoint.received.get(index).body());
  }

  @Test
  void aCompletionSendsPromptPlusPrefixAndMapsTheReply() throws IOException {
    endpoint.then(200, ScriptedEndpoint.completion("and then", "length", 11, 64));
    GenerationResult result = client(FAST).generate(request("<user>hi\n<assistant>", "Once upon"));

    assertEquals("and then", result.text());
    assertEquals(FinishReason.LENGTH, result.finishReason());
    assertEquals(11, result.promptTokens());
    assertEquals(64, result.completionTokens());
    assertEquals("/v1/completions", endpoint.received.get(0).path());
    JsonNode body = body(0);
    assertEquals("<user>hi\n<assistant>Once upon", body.get("prompt").asText());
    assertEquals("base", body.get("model").asText());
    assertEquals(64, body.get("max_tokens").asInt());
    assertEquals(0.7, body.get("temperature").asDouble(), 1e-6);
    assertEquals(0.8, body.get("top_p").asDouble(), 1e-6);
    assertEquals(20, body.get("top_k").asInt());
    assertEquals(1.1, body.get("repetition_penalty").asDouble(), 1e-6);
    assertEquals(42, body.get("seed").asLong());
    assertEquals("\n---", body.get("stop").get(0).asText());
    assertFalse(body.has("stream"));
  }

  @Test
  void greedyRequestsLeaveOutTheSamplingFilters() throws IOException {
    endpoint.then(200, ScriptedEndpoint.completion("x", "stop", 1, 1));
    client(FAST)
        .generate(new GenerationRequest("p", "", SamplingParams.greedy(), 5, List.of(), null));
    JsonNode body = body(0);
    assertEquals(0.0, body.get("temperature").asDouble());
    assertFalse(
        body.has("top_p")
            || body.has("top_k")
            || body.has("repetition_penalty")
            || body.has("stop"));
  }

  @Test
  void chatWithoutPrefixUsesChatCompletions() throws IOException {
    endpoint.then(200, ScriptedEndpoint.chatCompletion("Hello!"));
    GenerationResult result =
        client(FAST)
            .chat(
                List.of(ChatMessage.system("be brief"), ChatMessage.user("hi")),
                "",
                SamplingParams.greedy(),
                8,
                List.of(),
                "writer-lora");
    assertEquals("Hello!", result.text());
    assertEquals(FinishReason.STOP, result.finishReason());
    assertEquals("/v1/chat/completions", endpoint.received.get(0).path());
    JsonNode body = body(0);
    assertEquals("writer-lora", body.get("model").asText(), "a relative adapter is a served name");
    assertEquals(2, body.get("messages").size());
    assertEquals("user", body.get("messages").get(1).get("role").asText());
    assertFalse(body.has("continue_final_message"));
  }

  @Test
  void chatWithPrefixRendersTheGivenTemplateAndCompletes() throws IOException {
    endpoint.then(200, ScriptedEndpoint.completion(" more", "stop", 5, 1));
    OpenAiLanguageModel model =
        new OpenAiLanguageModel(
            OpenAiClientConfig.of(endpoint.baseUrl(), "base")
                .withRetry(FAST)
                .withChatTemplate(
                    (messages, generation) ->
                        messages.get(0).content() + (generation ? "|A:" : "")));
    GenerationResult result =
        model.chat(
            List.of(ChatMessage.user("Q")), "Start", SamplingParams.greedy(), 8, List.of(), null);
    assertEquals(" more", result.text());
    assertEquals("/v1/completions", endpoint.received.get(0).path());
    assertEquals("Q|A:Start", body(0).get("prompt").asText());
  }

  @Test
  void chatWithPrefixAndNoTemplateContinuesTheFinalMessage() throws IOException {
    endpoint.then(200, ScriptedEndpoint.chatCompletion(" went on"));
    OpenAiLanguageModel model = client(FAST);
    model.chat(
        List.of(ChatMessage.user("Q")), "It began", SamplingParams.greedy(), 8, List.of(), null);
    JsonNode body = body(0);
    assertEquals("/v1/chat/completions", endpoint.received.get(0).path());
    assertEquals("assistant", body.get("messages").get(1).get("role").asText());
    assertEquals("It began", body.get("messages").get(1).get("content").asText());
    assertTrue(body.get("continue_final_message").asBoolean());
    assertFalse(body.get("add_generation_prompt").asBoolean());
    IllegalStateException noTemplate =
        assertThrows(IllegalStateException.class, model::chatTemplate);
    assertTrue(noTemplate.getMessage().contains("no chat template"));
  }

  @Test
  void retriesTooManyRequestsThenSucceeds() {
    endpoint
        .then(429, "{\"error\":{\"message\":\"slow down\"}}")
        .then(200, ScriptedEndpoint.completion("ok", "stop", 1, 1));
    assertEquals("ok", client(FAST).generate(request("p", "")).text());
    assertEquals(2, endpoint.received.size());
  }

  @Test
  void retriesUnavailableThenSucceeds() {
    endpoint
        .then(503, "{\"detail\":\"warming up\"}")
        .then(502, "bad gateway")
        .then(200, ScriptedEndpoint.completion("ok", "stop", 1, 1));
    assertEquals("ok", client(FAST).generate(request("p", "")).text());
    assertEquals(3, endpoint.received.size());
  }

  @Test
  void honoursRetryAfter() {
    endpoint
        .then(429, "{\"error\":{\"message\":\"rate limited\"}}", Map.of("Retry-After", "1"))
        .then(200, ScriptedEndpoint.completion("ok", "stop", 1, 1));
    assertEquals("ok", client(FAST).generate(request("p", "")).text());
    long waitedMillis =
        (endpoint.received.get(1).nanoTime() - endpoint.received.get(0).nanoTime()) / 1_000_000;
    assertTrue(
        waitedMillis >= 950,
        "waited " + waitedMillis + " ms, Retry-After said 1 s; backoff alone is 40 ms");
    assertTrue(waitedMillis < 3000, "waited " + waitedMillis + " ms");
  }

  @Test
  void givesUpAfterTheLastAttemptWithTheServersMessage() {
    endpoint.otherwise(
        503, "{\"error\":{\"message\":\"engine overloaded\",\"type\":\"server_error\"}}");
    OpenAiException e =
        assertThrows(OpenAiException.class, () -> client(FAST).generate(request("p", "")));
    assertEquals(4, endpoint.received.size());
    assertEquals(503, e.status());
    assertEquals(4, e.attempts());
    assertTrue(
        e.getMessage().contains("after 4 attempts") && e.getMessage().contains("engine overloaded"),
        e.getMessage());
  }

  @Test
  void doesNotRetryARefusedRequest() {
    endpoint.then(
        400,
        "{\"error\":{\"message\":\"max_tokens is too large\",\"type\":\"invalid_request_error\"}}");
    OpenAiException e =
        assertThrows(OpenAiException.class, () -> client(FAST).generate(request("p", "")));
    assertEquals(1, endpoint.received.size());
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("max_tokens is too large"), e.getMessage());
  }

  @Test
  void retriesConnectionFailuresAndGivesUp() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    OpenAiLanguageModel model =
        new OpenAiLanguageModel(
            OpenAiClientConfig.of("http://127.0.0.1:" + closedPort + "/v1", "base")
                .withRetry(
                    new RetryPolicy(
                        3, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ZERO)));
    OpenAiException e = assertThrows(OpenAiException.class, () -> model.generate(request("p", "")));
    assertEquals(0, e.status());
    assertEquals(3, e.attempts());
    assertTrue(
        e.getMessage().contains("after 3 attempts") && e.getMessage().contains("ConnectException"),
        e.getMessage());
  }

  @Test
  void anInterruptStopsTheRetries() throws Exception {
    endpoint.otherwise(503, "{}");
    OpenAiLanguageModel model =
        client(new RetryPolicy(10, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ZERO));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                model.generate(request("p", ""));
              } catch (Throwable t) {
                failure.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
              }
            });
    caller.start();
    while (endpoint.received.isEmpty()) {
      Thread.sleep(10);
    }
    Thread.sleep(100);
    caller.interrupt();
    caller.join(2000);
    assertFalse(caller.isAlive(), "an interrupted caller does not sit out a 5 s backoff");
    assertTrue(
        failure.get() instanceof OpenAiException
            && failure.get().getMessage().contains("interrupted"));
    assertTrue(stillInterrupted.get());
    assertEquals(1, endpoint.received.size());
  }

  @Test
  void streamedRepliesAreAssembled() throws IOException {
    String sse =
        "data: {\"choices\":[{\"index\":0,\"text\":\"Once \",\"finish_reason\":null}]}\n\n"
            + ": keep-alive\n\n"
            + "data:"
            + " {\"choices\":[{\"index\":0,\"text\":\"upon\",\"finish_reason\":\"length\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2}}\n\n"
            + "data: [DONE]\n\n";
    endpoint.then(200, sse);
    OpenAiLanguageModel model =
        new OpenAiLanguageModel(
            OpenAiClientConfig.of(endpoint.baseUrl(), "base").withRetry(FAST).withStream(true));
    GenerationResult result = model.generate(request("p", ""));
    assertEquals("Once upon", result.text());
    assertEquals(FinishReason.LENGTH, result.finishReason());
    assertEquals(4, result.promptTokens());
    assertEquals(2, result.completionTokens());
    assertTrue(body(0).get("stream").asBoolean());
    assertTrue(body(0).get("stream_options").get("include_usage").asBoolean());

    endpoint.then(200, "data: {\"choices\":[{\"index\":0,\"text\":\"cut\"}]}\n\n");
    OpenAiException truncated =
        assertThrows(OpenAiException.class, () -> model.generate(request("p", "")));
    assertTrue(truncated.getMessage().contains("[DONE]"), truncated.getMessage());
  }

  @Test
  void anAbsoluteAdapterDirectoryIsLoadedOnceAndAddressedByName() throws IOException {
    Path adapter = tmp.resolve("round-1/generator-adapter");
    endpoint
        .then(200, "Success: LoRA adapter loaded")
        .then(200, ScriptedEndpoint.completion("a", "stop", 1, 1))
        .then(200, ScriptedEndpoint.completion("b", "stop", 1, 1));
    OpenAiLanguageModel model = client(FAST);
    GenerationRequest first =
        new GenerationRequest("p", "", SamplingParams.greedy(), 4, List.of(), adapter.toString());
    model.generate(first);
    model.generate(first);

    assertEquals(
        List.of("/v1/load_lora_adapter", "/v1/completions", "/v1/completions"),
        endpoint.received.stream().map(ScriptedEndpoint.Received::path).toList());
    JsonNode load = body(0);
    assertEquals(adapter.toString(), load.get("lora_path").asText());
    String name = load.get("lora_name").asText();
    assertTrue(name.startsWith("generator-adapter-"), name);
    assertEquals(name, body(1).get("model").asText());
    assertEquals(name, body(2).get("model").asText());
  }

  @Test
  void anEndpointWithoutRuntimeAdaptersSaysWhatToDo() {
    endpoint.then(404, "{\"detail\":\"Not Found\"}");
    GenerationRequest request =
        new GenerationRequest(
            "p", "", SamplingParams.greedy(), 4, List.of(), tmp.resolve("a").toString());
    OpenAiException e = assertThrows(OpenAiException.class, () -> client(FAST).generate(request));
    assertTrue(e.getMessage().contains("VLLM_ALLOW_RUNTIME_LORA_UPDATING"), e.getMessage());
  }

  @Test
  void theKeyGoesInTheHeaderAndNowhereElse() throws IOException {
    Path keyFile = tmp.resolve("key");
    Files.writeString(keyFile, SECRET + "\n");
    ApiKey key = ApiKey.fromFile(keyFile);
    assertEquals(
        key.authorizationHeader(),
        ApiKey.fromEnvironment("EP_KEY", Map.of("EP_KEY", SECRET)).authorizationHeader());

    Logger logger = (Logger) LoggerFactory.getLogger("selflengthen.model.openai");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
    try {
      endpoint
          .then(429, "{\"error\":{\"message\":\"busy\"}}")
          .then(200, "Success")
          .otherwise(401, "{\"error\":{\"message\":\"Incorrect API key provided\"}}");
      OpenAiLanguageModel model =
          new OpenAiLanguageModel(
              OpenAiClientConfig.of(endpoint.baseUrl(), "base").withRetry(FAST).withApiKey(key));
      OpenAiException refused =
          assertThrows(
              OpenAiException.class,
              () ->
                  model.generate(
                      new GenerationRequest(
                          "p", "", null, 4, List.of(), tmp.resolve("ad").toString())));

      assertEquals("Bearer " + SECRET, endpoint.received.get(0).authorization());
      assertTrue(appender.list.size() >= 2, "the retry and the adapter load were logged");
      String logged =
          appender.list.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .collect(Collectors.joining("\n"));
      for (String text :
          List.of(
              logged,
              model.toString(),
              model.config().toString(),
              key.toString(),
              refused.getMessage())) {
        assertFalse(text.contains(SECRET), "key leaked into: " + text);
      }
      assertTrue(model.toString().contains("file:" + keyFile), model.toString());
    } finally {
      logger.detachAppender(appender);
    }
  }

  @Test
  void aMissingKeyFailsWithItsSource() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ApiKey.fromEnvironment("NO_SUCH_KEY", Map.of()));
    assertTrue(e.getMessage().contains("NO_SUCH_KEY"));
  }
}
