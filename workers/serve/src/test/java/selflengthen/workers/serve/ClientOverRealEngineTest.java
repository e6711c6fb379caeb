package selflengthen.workers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.Checkpoint;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.ModelFactory;
import selflengthen.model.Models;
import selflengthen.model.api.ChatMessage;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.LanguageModel;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.api.SftExample;
import selflengthen.model.api.TrainingConfig;
import selflengthen.model.api.TrainingJob;
import selflengthen.model.openai.OpenAiClientConfig;
import selflengthen.model.openai.OpenAiLanguageModel;
import selflengthen.model.train.SftTrainer;

/**
 * The endpoint engine (OpenAiLanguageModel) against our serve over the real DJL engine on a tiny
 * checkpoint made by `model init`'s code, on loopback: what comes over HTTP is what the engine says
 * in process, for raw completions, chat, forced prefixes (both ways), a trained LoRA adapter
 * loaded at run time, and streamed replies (which arrive in several pieces).
 */
@Tag("integration")
class ClientOverRealEngineTest {
  @TempDir static Path tmp;
  static LanguageModel engine;
  static OpenAiServer server;
  static Path checkpoint;

  @BeforeAll
  static void start() throws Exception {
    checkpoint = tmp.resolve("tiny");
    ModelFactory.init("tiny", checkpoint, 7L, null);
    engine = Models.open(checkpoint, EngineOptions.defaults().withMaxBatchSize(4).withMaxSequenceLength(256));
    server = OpenAiServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new ModelCatalog().addBase("tiny", engine), ServerOptions.defaults().withRuntimeAdapters(true));
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  private static OpenAiLanguageModel client(boolean withTemplate, boolean stream) throws Exception {
    OpenAiClientConfig config = OpenAiClientConfig.of(server.baseUrl().toString(), "tiny").withStream(stream);
    return new OpenAiLanguageModel(
        withTemplate ? config.withChatTemplate(Checkpoint.read(checkpoint).chatTemplate()) : config);
  }

  private static final SamplingParams GREEDY = SamplingParams.greedy();

  @Test
  void rawCompletionsAndChatOverHttpMatchTheEngineInProcess() throws Exception {
    long before = server.generationRequests();
    GenerationRequest raw = new GenerationRequest("The river town", " and the bridge", GREEDY, 16, List.of(), null);
    assertEquals(engine.generate(raw).text(), client(false, false).generate(raw).text());

    List<ChatMessage> chat = List.of(ChatMessage.user("Write about river towns."));
    String direct = engine.chat(chat, "", GREEDY, 16, List.of(), null).text();
    assertEquals(direct, client(false, false).chat(chat, "", GREEDY, 16, List.of(), null).text());

    // The Extender's continuation: a forced prefix, rendered here (raw completion) or at the server.
    String prefixed = engine.chat(chat, "Long ago", GREEDY, 16, List.of(), null).text();
    assertEquals(prefixed, client(true, false).chat(chat, "Long ago", GREEDY, 16, List.of(), null).text());
    assertEquals(prefixed, client(false, false).chat(chat, "Long ago", GREEDY, 16, List.of(), null).text());
    assertEquals(before + 4, server.generationRequests(), "four generations went over HTTP");
  }

  @Test
  void aTrainedAdapterIsLoadedAtRunTimeAndUsedByPath() throws Exception {
    Path adapter = tmp.resolve("adapter");
    List<SftExample> data = IntStream.range(0, 4)
        .mapToObj(i -> new SftExample("Say river " + i, "", "river town bridge " + i)).toList();
    new SftTrainer().train(new TrainingJob(checkpoint, null, adapter, tmp.resolve("adapter-ckpt"), data,
        new TrainingConfig(false, 4, 8f, 0f, List.of(), 5e-2f, 2f, "constant", 0f, 64, 2, 1, 0f, 0, 1L)), p -> { });
    GenerationRequest base = new GenerationRequest("Say river 2", "", GREEDY, 12, List.of(), null);
    GenerationRequest adapted = new GenerationRequest("Say river 2", "", GREEDY, 12, List.of(), adapter.toString());
    String direct = engine.generate(adapted).text();
    assertNotEquals(engine.generate(base).text(), direct, "the adapter changes the tiny model's answer");
    OpenAiLanguageModel client = client(true, false);
    assertEquals(direct, client.generate(adapted).text());
    assertEquals(direct, client.generate(adapted).text(), "registered once, then addressed by its name");
  }

  @Test
  void streamedRepliesArriveInPiecesAndAddUpToTheWholeReply() throws Exception {
    GenerationRequest raw = new GenerationRequest("Once upon a time", "", GREEDY, 40, List.of(), null);
    GenerationResult whole = engine.generate(raw);
    assertEquals(whole.text(), client(false, true).generate(raw).text());

    String body = "{\"model\":\"tiny\",\"prompt\":\"Once upon a time\",\"max_tokens\":40,\"temperature\":0,\"stream\":true}";
    HttpResponse<String> reply = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/completions"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, reply.statusCode());
    List<String> events = reply.body().lines().filter(l -> l.startsWith("data: {")).toList();
    long textEvents = events.stream().filter(e -> !e.contains("\"text\":\"\"")).count();
    assertTrue(textEvents > 3, "40 tokens stream in more than a few events:\n" + reply.body());
    assertTrue(reply.body().strip().endsWith("data: [DONE]"), reply.body());
  }
}
