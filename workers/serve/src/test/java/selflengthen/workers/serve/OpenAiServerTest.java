package selflengthen.workers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.openai.ApiKey;

/** The server over HTTP on loopback, as curl or any OpenAI client sees it. */
@Tag("integration")
class OpenAiServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private EchoLanguageModel engine;
  private OpenAiServer server;
  private URI base;
  private Path writer;

  static Path adapterDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\":\"LORA\",\"r\":8}");
    return dir;
  }

  private OpenAiServer start(ServerOptions options) throws IOException {
    ModelCatalog catalog =
        new ModelCatalog().addBase("tiny", engine).addAdapter("writer", "tiny", writer);
    return OpenAiServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), catalog, options);
  }

  @BeforeEach
  void setUp() throws IOException {
    engine = new EchoLanguageModel();
    writer = adapterDir(tmp.resolve("writer-adapter"));
    server =
        start(
            ServerOptions.defaults()
                .withMaxBodyBytes(64 * 1024)
                .withStreamKeepAlive(Duration.ofMillis(40)));
    base = server.baseUrl();
  }

  @AfterEach
  void tearDown() {
    server.close();
  }

  private static String json(Object... keyValues) {
    Map<String, Object> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    try {
      return JSON.writeValueAsString(map);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static List<Map<String, String>> user(String content) {
    return List.of(Map.of("role", "user", "content", content));
  }

  @Test
  void bindsLoopbackAndListsModelsAndAdapters() {
    assertTrue(server.address().getAddress().isLoopbackAddress());
    RawHttp.Reply reply = RawHttp.get(base, "/models");
    assertEquals(200, reply.status());
    JsonNode data = reply.json().get("data");
    assertEquals("list", reply.json().get("object").asText());
    assertEquals(2, data.size());
    assertEquals("tiny", data.get(0).get("id").asText());
    assertEquals("echo-model", data.get(0).get("root").asText());
    assertEquals("writer", data.get(1).get("id").asText());
    assertEquals("tiny", data.get(1).get("parent").asText());
    assertEquals(writer.toString(), data.get(1).get("root").asText());
    assertEquals("writer", RawHttp.get(base, "/models/writer").json().get("id").asText());
    assertEquals(404, RawHttp.get(base, "/models/nope").status());
    assertEquals(
        200, RawHttp.send("GET", URI.create(base.resolve("/health").toString()), null).status());
  }

  @Test
  void completesARawPromptWithTheRequestsSampling() {
    RawHttp.Reply reply =
        RawHttp.post(
            base,
            "/completions",
            json(
                "model",
                "tiny",
                "prompt",
                "Tell me about cats",
                "max_tokens",
                4,
                "temperature",
                0.5,
                "top_p",
                0.9,
                "top_k",
                -1,
                "repetition_penalty",
                1.05,
                "seed",
                7));
    assertEquals(200, reply.status(), reply.body());
    JsonNode body = reply.json();
    assertEquals("text_completion", body.get("object").asText());
    assertTrue(body.get("id").asText().startsWith("cmpl-"));
    assertEquals("tiny", body.get("model").asText());
    assertEquals("echo(cats) one two three", body.get("choices").get(0).get("text").asText());
    assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
    assertEquals(4, body.get("usage").get("prompt_tokens").asInt());
    assertEquals(4, body.get("usage").get("completion_tokens").asInt());
    assertEquals(8, body.get("usage").get("total_tokens").asInt());

    GenerationRequest seen = engine.requests.get(0);
    assertEquals("Tell me about cats", seen.prompt());
    assertEquals("", seen.forcedPrefix());
    assertNull(seen.adapter());
    assertEquals(0.5f, seen.sampling().temperature(), 1e-6);
    assertEquals(0.9f, seen.sampling().topP(), 1e-6);
    assertEquals(0, seen.sampling().topK());
    assertEquals(1.05f, seen.sampling().repetitionPenalty(), 1e-6);
    assertEquals(7L, seen.sampling().seed());
  }

  @Test
  void chatsThroughAnAdapterWithTheTemplateAndStopStrings() {
    RawHttp.Reply reply =
        RawHttp.post(
            base,
            "/chat/completions",
            json(
                "model",
                "writer",
                "messages",
                List.of(
                    Map.of("role", "system", "content", "Be vivid."),
                    Map.of("role", "user", "content", "Go")),
                "stop",
                List.of("zzz", "four"),
                "max_completion_tokens",
                100));
    assertEquals(200, reply.status(), reply.body());
    JsonNode choice = reply.json().get("choices").get(0);
    assertEquals("chat.completion", reply.json().get("object").asText());
    assertEquals("assistant", choice.get("message").get("role").asText());
    assertEquals("echo(<assistant>) one two three ", choice.get("message").get("content").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
    GenerationRequest seen = engine.requests.get(0);
    assertEquals("<system>Be vivid.\n<user>Go\n<assistant>", seen.prompt());
    assertEquals(writer.toString(), seen.adapter());
    assertEquals(List.of("zzz", "four"), seen.stopStrings());
    assertEquals(100, seen.maxNewTokens());
  }

  @Test
  void continueFinalMessageForcesTheAssistantPrefix() {
    List<Map<String, String>> messages =
        List.of(
            Map.of("role", "user", "content", "Write a saga"),
            Map.of("role", "assistant", "content", "It began"));
    RawHttp.Reply reply =
        RawHttp.post(
            base,
            "/chat/completions",
            json(
                "model",
                "tiny",
                "messages",
                messages,
                "continue_final_message",
                true,
                "add_generation_prompt",
                false));
    assertEquals(200, reply.status(), reply.body());
    assertEquals(
        "echo(began) " + EchoLanguageModel.TAIL,
        reply.json().get("choices").get(0).get("message").get("content").asText(),
        "the reply continues the prefix and does not repeat it");
    GenerationRequest seen = engine.requests.get(0);
    assertEquals("<user>Write a saga\n<assistant>", seen.prompt());
    assertEquals("It began", seen.forcedPrefix());

    RawHttp.Reply both =
        RawHttp.post(
            base,
            "/chat/completions",
            json(
                "model",
                "tiny",
                "messages",
                messages,
                "continue_final_message",
                true,
                "add_generation_prompt",
                true));
    assertError(both, 400, "add_generation_prompt");
    RawHttp.Reply notAssistant =
        RawHttp.post(
            base,
            "/chat/completions",
            json("model", "tiny", "messages", user("x"), "continue_final_message", true));
    assertError(notAssistant, 400, "messages");
  }

  @Test
  void streamsChatAsServerSentEvents() {
    engine.hold(200); // longer than the 40 ms keep-alive interval
    RawHttp.Reply reply =
        RawHttp.post(
            base,
            "/chat/completions",
            json(
                "model",
                "tiny",
                "messages",
                user("Hello there"),
                "stream",
                true,
                "max_tokens",
                3,
                "stream_options",
                Map.of("include_usage", true)));
    assertEquals(200, reply.status());
    assertTrue(reply.header("Content-Type").startsWith("text/event-stream"));
    assertTrue(reply.body().contains(": keep-alive\n\n"), reply.body());
    assertTrue(reply.body().endsWith("data: [DONE]\n\n"), reply.body());
    List<String> events = reply.events();
    assertEquals(5, events.size(), reply.body());
    JsonNode first = parse(events.get(0));
    assertEquals("chat.completion.chunk", first.get("object").asText());
    assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
    assertEquals(
        "echo(<assistant>) one two",
        parse(events.get(1)).get("choices").get(0).get("delta").get("content").asText());
    JsonNode last = parse(events.get(2)).get("choices").get(0);
    assertEquals("length", last.get("finish_reason").asText());
    assertTrue(last.get("delta").isEmpty());
    JsonNode usage = parse(events.get(3));
    assertEquals(0, usage.get("choices").size());
    assertEquals(3, usage.get("usage").get("completion_tokens").asInt());
    assertEquals("[DONE]", events.get(4));
    String id = first.get("id").asText();
    for (String event : events.subList(1, 4)) {
      assertEquals(id, parse(event).get("id").asText(), "one id for the whole stream");
    }
  }

  @Test
  void streamsCompletionsAndReportsEngineFailuresInTheStream() {
    RawHttp.Reply reply =
        RawHttp.post(
            base, "/completions", json("model", "tiny", "prompt", "Say it", "stream", true));
    List<String> events = reply.events();
    assertEquals(3, events.size(), reply.body());
    assertEquals(
        "echo(it) " + EchoLanguageModel.TAIL,
        parse(events.get(0)).get("choices").get(0).get("text").asText());
    assertEquals("stop", parse(events.get(1)).get("choices").get(0).get("finish_reason").asText());
    assertEquals("[DONE]", events.get(2));

    RawHttp.Reply failed =
        RawHttp.post(base, "/completions", json("model", "tiny", "prompt", "FAIL", "stream", true));
    assertEquals(200, failed.status());
    JsonNode error = parse(failed.events().get(0)).get("error");
    assertEquals("server_error", error.get("type").asText());
    assertTrue(error.get("message").asText().contains("device-side assert"));
    assertEquals("[DONE]", failed.events().get(failed.events().size() - 1));
  }

  @Test
  void malformedRequestsGetOpenAiErrorsAndTheServerKeepsServing() {
    String chat = "/chat/completions";
    String completions = "/completions";
    List<Object[]> cases =
        List.of(
            new Object[] {chat, "{\"model\": \"tiny\", \"messages\": [", 400, null},
            new Object[] {chat, "{\"model\": \"tiny\"} trailing", 400, null},
            new Object[] {chat, "[1, 2]", 400, null},
            new Object[] {chat, "", 400, null},
            new Object[] {chat, json("model", "tiny"), 400, "messages"},
            new Object[] {chat, json("model", "tiny", "messages", "hello"), 400, "messages"},
            new Object[] {chat, json("model", "tiny", "messages", List.of()), 400, "messages"},
            new Object[] {
              chat,
              json("model", "tiny", "messages", List.of(Map.of("role", "wizard", "content", "x"))),
              400,
              "messages[0].role"
            },
            new Object[] {
              chat,
              json("model", "tiny", "messages", List.of(Map.of("role", "user", "content", 5))),
              400,
              "messages[0].content"
            },
            new Object[] {chat, json("messages", user("x")), 400, "model"},
            new Object[] {chat, json("model", 5, "messages", user("x")), 400, "model"},
            new Object[] {
              chat,
              json("model", "tiny", "messages", user("x"), "max_tokens", "ten"),
              400,
              "max_tokens"
            },
            new Object[] {
              chat,
              json("model", "tiny", "messages", user("x"), "max_tokens", 2.5),
              400,
              "max_tokens"
            },
            new Object[] {
              chat, json("model", "tiny", "messages", user("x"), "max_tokens", 0), 400, "max_tokens"
            },
            new Object[] {
              chat,
              json("model", "tiny", "messages", user("x"), "temperature", "hot"),
              400,
              "temperature"
            },
            new Object[] {
              chat,
              json("model", "tiny", "messages", user("x"), "temperature", -1),
              400,
              "temperature"
            },
            new Object[] {
              chat, json("model", "tiny", "messages", user("x"), "top_p", 1.5), 400, "top_p"
            },
            new Object[] {
              chat, json("model", "tiny", "messages", user("x"), "stop", 5), 400, "stop"
            },
            new Object[] {
              chat, json("model", "tiny", "messages", user("x"), "stream", "yes"), 400, "stream"
            },
            new Object[] {chat, json("model", "tiny", "messages", user("x"), "n", 2), 400, "n"},
            new Object[] {
              chat, json("model", "tiny", "messages", user("x"), "logprobs", true), 400, "logprobs"
            },
            new Object[] {
              chat,
              json("model", "tiny", "messages", user("x"), "presence_penalty", 0.5),
              400,
              "presence_penalty"
            },
            new Object[] {chat, json("model", "ghost", "messages", user("x")), 404, "model"},
            new Object[] {completions, json("model", "tiny"), 400, "prompt"},
            new Object[] {
              completions, json("model", "tiny", "prompt", List.of(1, 2, 3)), 400, "prompt"
            },
            new Object[] {
              completions, json("model", "tiny", "prompt", List.of("a", "b")), 400, "prompt"
            },
            new Object[] {completions, json("model", "tiny", "prompt", "x", "n", 3), 400, "n"},
            new Object[] {
              completions, json("model", "tiny", "prompt", "x", "echo", true), 400, "echo"
            },
            new Object[] {completions, json("model", "tiny", "prompt", "TOO_LONG"), 400, null},
            new Object[] {completions, json("model", "tiny", "prompt", "FAIL"), 500, null},
            new Object[] {
              completions, json("model", "tiny", "prompt", "x".repeat(70 * 1024)), 413, null
            });
    for (Object[] c : cases) {
      RawHttp.Reply reply = RawHttp.post(base, (String) c[0], (String) c[1]);
      String label = c[0] + " " + abbreviate((String) c[1]) + " -> " + reply.body();
      assertEquals((int) c[2], reply.status(), label);
      JsonNode error = reply.json().get("error");
      assertTrue(
          error != null
              && error.get("message").isTextual()
              && !error.get("message").asText().isBlank(),
          label);
      assertEquals(
          (int) c[2] == 500 ? "server_error" : "invalid_request_error",
          error.get("type").asText(),
          label);
      if (c[3] == null) {
        assertTrue(error.get("param").isNull(), label);
      } else {
        assertEquals(c[3], error.get("param").asText(), label);
      }
      assertTrue(error.has("code"), label);
    }
    assertEquals(
        "model_not_found",
        RawHttp.post(base, chat, json("model", "ghost", "messages", user("x")))
            .json()
            .get("error")
            .get("code")
            .asText());

    String badJson =
        RawHttp.post(base, chat, "{\"model\": [").json().get("error").get("message").asText();
    assertTrue(
        badJson.startsWith("We could not parse the JSON body")
            && badJson.contains("(line 1, column"),
        badJson);

    RawHttp.Reply getOnPost = RawHttp.get(base, completions);
    assertEquals(405, getOnPost.status());
    assertEquals("POST", getOnPost.header("Allow"));
    assertEquals("method_not_allowed", getOnPost.json().get("error").get("code").asText());
    assertEquals(405, RawHttp.post(base, "/models", "{}").status());
    RawHttp.Reply unknownPath =
        RawHttp.post(base, "/embeddings", json("model", "tiny", "input", "x"));
    assertEquals(404, unknownPath.status());
    assertEquals("invalid_request_error", unknownPath.json().get("error").get("type").asText());
    assertEquals(404, RawHttp.send("GET", URI.create(base.resolve("/").toString()), null).status());

    RawHttp.Reply fine =
        RawHttp.post(base, chat, json("model", "tiny", "messages", user("still there")));
    assertEquals(200, fine.status(), fine.body());
    assertEquals(
        3, engine.requests.size(), "only TOO_LONG, FAIL and the last request reached the engine");
  }

  @Test
  void anApiKeyGuardsEverythingButHealth() throws IOException {
    server.close();
    server =
        start(
            ServerOptions.defaults()
                .withApiKey(ApiKey.fromEnvironment("K", Map.of("K", "s3cret-key"))));
    base = server.baseUrl();
    String body = json("model", "tiny", "prompt", "hi");

    RawHttp.Reply none = RawHttp.post(base, "/completions", body);
    assertEquals(401, none.status());
    assertEquals("invalid_api_key", none.json().get("error").get("code").asText());
    assertEquals("Bearer", none.header("WWW-Authenticate"));
    assertEquals(
        401, RawHttp.post(base, "/completions", body, "Authorization", "Bearer wrong").status());
    assertEquals(401, RawHttp.get(base, "/models", "Authorization", "s3cret-key").status());
    assertEquals(
        200,
        RawHttp.post(base, "/completions", body, "Authorization", "Bearer s3cret-key").status());
    assertEquals(200, RawHttp.get(base, "/models", "Authorization", "bearer s3cret-key").status());
    assertEquals(
        200, RawHttp.send("GET", URI.create(base.resolve("/health").toString()), null).status());
    assertEquals(1, engine.requests.size());
  }

  @Test
  void runtimeAdaptersLoadOnlyWhenAllowed() throws IOException {
    Path story = adapterDir(tmp.resolve("story-adapter"));
    String load = json("lora_name", "story", "lora_path", story.toString());
    assertEquals(404, RawHttp.post(base, "/load_lora_adapter", load).status());

    server.close();
    server = start(ServerOptions.defaults().withRuntimeAdapters(true));
    base = server.baseUrl();
    assertEquals(200, RawHttp.post(base, "/load_lora_adapter", load).status());
    assertEquals(
        200,
        RawHttp.post(base, "/load_lora_adapter", load).status(),
        "loading the same again is fine");
    RawHttp.Reply clash =
        RawHttp.post(
            base, "/load_lora_adapter", json("lora_name", "story", "lora_path", writer.toString()));
    assertEquals(400, clash.status());
    assertTrue(clash.json().get("error").get("message").asText().contains("already"));
    assertEquals(
        400,
        RawHttp.post(
                base, "/load_lora_adapter", json("lora_name", "x", "lora_path", tmp.toString()))
            .status());

    assertEquals(
        200, RawHttp.post(base, "/completions", json("model", "story", "prompt", "hi")).status());
    assertEquals(story.toString(), engine.requests.get(0).adapter());
    assertEquals(
        200, RawHttp.post(base, "/unload_lora_adapter", json("lora_name", "story")).status());
    assertEquals(
        404, RawHttp.post(base, "/completions", json("model", "story", "prompt", "hi")).status());
    assertEquals(
        404,
        RawHttp.post(base, "/unload_lora_adapter", json("lora_name", "tiny")).status(),
        "bases stay");
  }

  private static void assertError(RawHttp.Reply reply, int status, String param) {
    assertEquals(status, reply.status(), reply.body());
    assertEquals(param, reply.json().get("error").get("param").asText());
    assertFalse(reply.json().get("error").get("message").asText().isBlank());
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(json, e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
