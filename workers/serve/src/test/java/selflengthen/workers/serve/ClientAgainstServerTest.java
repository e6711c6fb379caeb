package selflengthen.workers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.openai.ApiKey;
import selflengthen.model.openai.OpenAiClientConfig;
import selflengthen.model.openai.OpenAiException;
import selflengthen.model.openai.OpenAiLanguageModel;
import selflengthen.model.openai.RetryPolicy;

/** The endpoint engine (client) against our own serve, both over real sockets on loopback. */
@Tag("integration")
class ClientAgainstServerTest {
  private static final ApiKey KEY =
      ApiKey.fromEnvironment("SERVE_KEY", Map.of("SERVE_KEY", "k-91c2e7"));
  private static final RetryPolicy FAST =
      new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofSeconds(1));

  @TempDir Path tmp;
  private EchoLanguageModel engine;
  private OpenAiServer server;
  private Path writer;

  private void start(ServerOptions options) throws IOException {
    if (server != null) {
      server.close();
    }
    writer = OpenAiServerTest.adapterDir(tmp.resolve("writer-adapter"));
    ModelCatalog catalog =
        new ModelCatalog().addBase("tiny", engine).addAdapter("writer", "tiny", writer);
    server =
        OpenAiServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), catalog, options);
  }

  private OpenAiClientConfig config() {
    return OpenAiClientConfig.of(server.baseUrl().toString(), "tiny")
        .withApiKey(KEY)
        .withRetry(FAST);
  }

  @BeforeEach
  void setUp() throws IOException {
    engine = new EchoLanguageModel();
    start(ServerOptions.defaults().withApiKey(KEY).withRuntimeAdapters(true));
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private static GenerationRequest request(
      String prompt, String prefix, int maxTokens, List<String> stops, String adapter) {
    return new GenerationRequest(
        prompt, prefix, new SamplingParams(0.7f, 20, 0.8f, 1.1f, 42L), maxTokens, stops, adapter);
  }

  @Test
  void rawCompletionWithAForcedPrefix() {
    OpenAiLanguageModel client = new OpenAiLanguageModel(config());
    GenerationResult result =
        client.generate(request("<user>Write\n<assistant>", "Chapter one", 64, List.of(), null));

    assertEquals("echo(one) " + EchoLanguageModel.TAIL, result.text());
    assertEquals(FinishReason.STOP, result.finishReason());
    assertEquals(3, result.promptTokens());
    assertEquals(11, result.completionTokens());
    GenerationRequest seen = engine.requests.get(0);
    assertEquals(
        "<user>Write\n<assistant>Chapter one",
        seen.prompt(),
        "the prefix travels inside the prompt");
    assertEquals(0.7f, seen.sampling().temperature(), 1e-6);
    assertEquals(20, seen.sampling().topK());
    assertEquals(0.8f, seen.sampling().topP(), 1e-6);
    assertEquals(1.1f, seen.sampling().repetitionPenalty(), 1e-6);
    assertEquals(42L, seen.sampling().seed());
  }

  @Test
  void maxTokensAndStopStringsCutTheReply() {
    OpenAiLanguageModel client = new OpenAiLanguageModel(config());
    GenerationResult cut = client.generate(request("go", "", 3, List.of(), null));
    assertEquals("echo(go) one two", cut.text());
    assertEquals(FinishReason.LENGTH, cut.finishReason());
    GenerationResult stopped =
        client.generate(request("go", "", 50, List.of("\n---", "three"), null));
    assertEquals("echo(go) one two ", stopped.text());
    assertEquals(FinishReason.STOP, stopped.finishReason());
    assertEquals(List.of("\n---", "three"), engine.requests.get(1).stopStrings());
  }

  @Test
  void chatUsesTheServersTemplateAndForcedPrefixesContinue() {
    OpenAiLanguageModel client = new OpenAiLanguageModel(config());
    List<ChatMessage> messages =
        List.of(ChatMessage.system("Be long."), ChatMessage.user("Tell a tale"));
    GenerationResult plain =
        client.chat(messages, "", SamplingParams.greedy(), 64, List.of(), null);
    assertEquals("echo(<assistant>) " + EchoLanguageModel.TAIL, plain.text());
    assertEquals(
        "<system>Be long.\n<user>Tell a tale\n<assistant>", engine.requests.get(0).prompt());

    GenerationResult continued =
        client.chat(messages, "Long ago", SamplingParams.greedy(), 64, List.of(), null);
    assertEquals("echo(ago) " + EchoLanguageModel.TAIL, continued.text());
    assertEquals(
        "<system>Be long.\n<user>Tell a tale\n<assistant>", engine.requests.get(1).prompt());
    assertEquals("Long ago", engine.requests.get(1).forcedPrefix());

    OpenAiLanguageModel templated =
        new OpenAiLanguageModel(config().withChatTemplate(engine.chatTemplate()));
    GenerationResult local =
        templated.chat(messages, "Long ago", SamplingParams.greedy(), 64, List.of(), null);
    assertEquals(continued.text(), local.text(), "the checkpoint template and the server agree");
    assertEquals(
        "<system>Be long.\n<user>Tell a tale\n<assistant>Long ago",
        engine.requests.get(2).prompt());
  }

  @Test
  void streamingClientsGetTheSameReply() {
    OpenAiLanguageModel streaming = new OpenAiLanguageModel(config().withStream(true));
    GenerationResult completion = streaming.generate(request("Once", " upon", 4, List.of(), null));
    assertEquals("echo(upon) one two three", completion.text());
    assertEquals(FinishReason.LENGTH, completion.finishReason());
    assertEquals(4, completion.completionTokens(), "usage arrives in the last chunk");
    GenerationResult chat =
        streaming.chat(
            List.of(ChatMessage.user("hi")), "", SamplingParams.greedy(), 64, List.of(), null);
    assertEquals("echo(<assistant>) " + EchoLanguageModel.TAIL, chat.text());
    assertEquals(FinishReason.STOP, chat.finishReason());
  }

  @Test
  void adaptersByServedNameAndByDirectory() throws IOException {
    OpenAiLanguageModel client = new OpenAiLanguageModel(config());
    client.generate(request("a", "", 8, List.of(), "writer"));
    assertEquals(writer.toString(), engine.requests.get(0).adapter());

    Path trained = OpenAiServerTest.adapterDir(tmp.resolve("round-2/extender"));
    client.generate(request("b", "", 8, List.of(), trained.toString()));
    client.generate(request("c", "", 8, List.of(), trained.toString()));
    assertEquals(
        trained.toString(), engine.requests.get(1).adapter(), "loaded at run time and applied");
    assertEquals(trained.toString(), engine.requests.get(2).adapter());

    OpenAiException unknown =
        assertThrows(
            OpenAiException.class, () -> client.generate(request("d", "", 8, List.of(), "nobody")));
    assertEquals(404, unknown.status());
    assertEquals(1, unknown.attempts(), "a 404 is not retried");
    assertTrue(unknown.getMessage().contains("`nobody` does not exist"), unknown.getMessage());
  }

  @Test
  void aWrongOrMissingKeyIsRefusedWithoutRetries() {
    OpenAiLanguageModel keyless = new OpenAiLanguageModel(config().withApiKey(null));
    OpenAiException e =
        assertThrows(
            OpenAiException.class, () -> keyless.generate(request("x", "", 4, List.of(), null)));
    assertEquals(401, e.status());
    assertEquals(1, e.attempts());
    OpenAiLanguageModel wrong =
        new OpenAiLanguageModel(
            config().withApiKey(ApiKey.fromEnvironment("W", Map.of("W", "nope"))));
    assertEquals(
        401,
        assertThrows(
                OpenAiException.class, () -> wrong.generate(request("x", "", 4, List.of(), null)))
            .status());
    assertTrue(engine.requests.isEmpty());
  }

  @Test
  void engineFailuresComeBackAsErrorsAfterRetries() {
    OpenAiLanguageModel client = new OpenAiLanguageModel(config());
    OpenAiException e =
        assertThrows(
            OpenAiException.class, () -> client.generate(request("FAIL", "", 4, List.of(), null)));
    assertEquals(500, e.status());
    assertEquals(3, e.attempts());
    assertEquals(3, engine.requests.size());
    assertTrue(e.getMessage().contains("device-side assert"), e.getMessage());
  }

  @Test
  void parallelRequestsReachTheEngineConcurrently() throws Exception {
    engine.gate(8);
    assertEquals(8, runInParallel(new OpenAiLanguageModel(config()), 8));
    assertEquals(8, engine.maxInFlight(), "all 8 requests were inside generate at once");
  }

  @Test
  void maxBatchBoundsTheEngineAndMaxConcurrencyBoundsTheClient() throws Exception {
    start(ServerOptions.defaults().withApiKey(KEY).withMaxConcurrentGenerations(2));
    engine.hold(150);
    assertEquals(6, runInParallel(new OpenAiLanguageModel(config()), 6));
    assertEquals(2, engine.maxInFlight(), "--max-batch 2");

    engine = new EchoLanguageModel().hold(150);
    start(ServerOptions.defaults().withApiKey(KEY).withMaxConcurrentGenerations(8));
    assertEquals(6, runInParallel(new OpenAiLanguageModel(config().withMaxConcurrency(3)), 6));
    assertEquals(3, engine.maxInFlight(), "client max_concurrency 3");
  }

  /** Sends n requests from n threads; returns how many came back with the expected text. */
  private static int runInParallel(OpenAiLanguageModel client, int n) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<GenerationResult>> replies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String prompt = "request number-" + i;
        replies.add(pool.submit(() -> client.generate(request(prompt, "", 64, List.of(), null))));
      }
      int ok = 0;
      for (int i = 0; i < n; i++) {
        String text = replies.get(i).get().text();
        assertFalse(text.isEmpty());
        ok += text.startsWith("echo(number-" + i + ")") ? 1 : 0;
      }
      return ok;
    } finally {
      pool.shutdownNow();
    }
  }
}
