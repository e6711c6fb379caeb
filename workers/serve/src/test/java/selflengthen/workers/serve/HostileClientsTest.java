package selflengthen.workers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import selflengthen.model.config.EngineOptions;
import selflengthen.model.ModelFactory;
import selflengthen.model.Models;
import selflengthen.model.api.FinishReason;
import selflengthen.model.api.GenerationRequest;
import selflengthen.model.api.GenerationResult;
import selflengthen.model.api.SamplingParams;
import selflengthen.model.generate.DjlLanguageModel;
import selflengthen.workers.http.JdkHttpServers;

/**
 * serve against clients that misbehave, over loopback, on the real DJL engine (a tiny checkpoint):
 * slow senders do not starve the others and are cut off; oversized prompts and budgets are refused
 * before any work; a broken adapter is refused when loaded; a client that leaves stops its
 * generation in the engine.
 */
@Tag("integration")
class HostileClientsTest {
  private static final int CONTEXT = 1024;
  /** Tokens the cancelled requests ask for: a few seconds of decoding on a loaded CPU. */
  private static final int BUDGET = 200;
  @TempDir static Path tmp;
  static DjlLanguageModel engine;
  static OpenAiServer server;

  @BeforeAll
  static void start() throws Exception {
    Path checkpoint = tmp.resolve("tiny");
    ModelFactory.init("tiny", checkpoint, 7L, null);
    engine =
        (DjlLanguageModel)
            Models.open(
                checkpoint,
                EngineOptions.defaults().withMaxBatchSize(4).withMaxSequenceLength(CONTEXT));
    server =
        OpenAiServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            new ModelCatalog().addBase("tiny", engine),
            ServerOptions.defaults().withRuntimeAdapters(true));
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  private static final String SMALL =
      "{\"model\":\"tiny\",\"prompt\":\"river town\",\"max_tokens\":4,\"temperature\":0}";

  @Test
  void twoHundredSlowClientsStarveNobodyAndAreCutOff() throws Exception {
    List<Socket> slow = new ArrayList<>();
    AtomicBoolean dripping = new AtomicBoolean(true);
    try {
      for (int i = 0; i < 200; i++) {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort());
        s.getOutputStream().write("POST /v1/completions HTTP/1.1\r\nHost: x\r\n".getBytes());
        slow.add(s);
      }
      // One more header byte per client every 200 ms, forever: a client that never finishes.
      Thread drip =
          new Thread(
              () -> {
                while (dripping.get()) {
                  for (Socket s : slow) {
                    try {
                      s.getOutputStream().write('X');
                    } catch (Exception closedByServer) {
                      // the server cut it off: what we want
                    }
                  }
                  sleep(200);
                }
              });
      drip.setDaemon(true);
      drip.start();
      sleep(1000);

      long t0 = System.nanoTime();
      assertEquals(200, RawHttp.get(URI(), "/health").status());
      RawHttp.Reply reply = RawHttp.post(server.baseUrl(), "/completions", SMALL);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(200, reply.status(), reply.body());
      assertEquals(4, reply.json().at("/usage/completion_tokens").asInt());
      assertTrue(millis < 5_000, "health and a completion answered beside 200 slow clients in " + millis + " ms");

      // The JDK closes a request still unread after maxReqTime (checked every second).
      long limit = JdkHttpServers.maxRequestSeconds();
      assertTrue(limit > 0 && limit <= 60, "a request read limit is in force: " + limit);
      long deadline = System.nanoTime() + (limit + 5) * 1_000_000_000L;
      Socket probe = slow.get(0);
      probe.setSoTimeout(1000);
      boolean closed = false;
      while (!closed && System.nanoTime() < deadline) {
        try {
          closed = probe.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException stillOpen) {
          // keep waiting
        } catch (java.io.IOException reset) {
          closed = true;
        }
      }
      assertTrue(closed, "the server closed a client that sent headers for over " + limit + " s");
      assertEquals(200, RawHttp.get(URI(), "/health").status());
    } finally {
      dripping.set(false);
      for (Socket s : slow) {
        s.close();
      }
    }
  }

  @Test
  void aHugePromptIsRefusedByItsLengthAtOnce() {
    long limit = engine.maxPromptChars();
    assertTrue(limit < 1_000_000, "the tiny model's prompt bound: " + limit);
    String huge = "word ".repeat(4_000_000); // 20 MB
    String body = "{\"model\":\"tiny\",\"prompt\":\"" + huge + "\"}";
    long t0 = System.nanoTime();
    RawHttp.Reply reply = RawHttp.post(server.baseUrl(), "/completions", body);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(400, reply.status(), reply.body());
    assertEquals("prompt", reply.json().at("/error/param").asText());
    assertTrue(reply.json().at("/error/message").asText().contains("20000000 characters"), reply.body());
    assertTrue(millis < 10_000, "refused in " + millis + " ms");

    String chat =
        "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + huge + "\"}]}";
    RawHttp.Reply chatReply = RawHttp.post(server.baseUrl(), "/chat/completions", chat);
    assertEquals(400, chatReply.status());
    assertEquals("messages", chatReply.json().at("/error/param").asText());
  }

  @Test
  void aPromptOverTheContextIsRefusedByItsTokenCount() {
    // Below the character bound, above the context in tokens.
    String words = "river town bridge ".repeat(CONTEXT);
    RawHttp.Reply reply =
        RawHttp.post(
            server.baseUrl(), "/completions", "{\"model\":\"tiny\",\"prompt\":\"" + words + "\"}");
    assertEquals(400, reply.status(), reply.body());
    assertEquals("prompt", reply.json().at("/error/param").asText());
    assertTrue(reply.json().at("/error/message").asText().contains("maximum context length is 1024 tokens"), reply.body());
  }

  @Test
  void maxTokensBeyondTheContextIsRefusedNotClamped() {
    RawHttp.Reply over =
        RawHttp.post(
            server.baseUrl(),
            "/completions",
            "{\"model\":\"tiny\",\"prompt\":\"river\",\"max_tokens\":100000}");
    assertEquals(400, over.status(), over.body());
    assertEquals("max_tokens", over.json().at("/error/param").asText());

    RawHttp.Reply besidePrompt =
        RawHttp.post(
            server.baseUrl(),
            "/chat/completions",
            "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"river town\"}],"
                + "\"max_completion_tokens\":"
                + (CONTEXT - 1)
                + "}");
    assertEquals(400, besidePrompt.status(), besidePrompt.body());
    assertEquals("max_completion_tokens", besidePrompt.json().at("/error/param").asText());
    assertTrue(besidePrompt.json().at("/error/message").asText().contains("in the messages"), besidePrompt.body());
  }

  @Test
  void minTokensAndIgnoreEosAreRefusedByName() {
    for (String field : List.of("\"min_tokens\":5", "\"ignore_eos\":true")) {
      RawHttp.Reply reply =
          RawHttp.post(
              server.baseUrl(),
              "/completions",
              "{\"model\":\"tiny\",\"prompt\":\"river\",\"max_tokens\":4," + field + "}");
      assertEquals(400, reply.status(), reply.body());
      String name = field.substring(1, field.indexOf('"', 1));
      assertEquals(name, reply.json().at("/error/param").asText());
    }
    RawHttp.Reply off =
        RawHttp.post(
            server.baseUrl(),
            "/completions",
            "{\"model\":\"tiny\",\"prompt\":\"river\",\"max_tokens\":4,\"ignore_eos\":false,\"min_tokens\":0}");
    assertEquals(200, off.status(), "the defaults spelled out are accepted: " + off.body());
  }

  @Test
  void aBrokenAdapterIsRefusedWhenLoaded() throws Exception {
    Path noWeights = Files.createDirectories(tmp.resolve("no-weights"));
    Files.writeString(
        noWeights.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"]}");
    Path wrongShapes = Files.createDirectories(tmp.resolve("wrong-shapes"));
    Files.writeString(
        wrongShapes.resolve("adapter_config.json"),
        "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"]}");
    writeSafetensors(
        wrongShapes.resolve("adapter_model.safetensors"),
        "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
        new long[] {4, 3},
        "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
        new long[] {3, 4});
    for (Path broken : List.of(noWeights, wrongShapes)) {
      RawHttp.Reply reply =
          RawHttp.post(
              server.baseUrl(),
              "/load_lora_adapter",
              "{\"lora_name\":\"" + broken.getFileName() + "\",\"lora_path\":\"" + broken + "\"}");
      assertEquals(400, reply.status(), reply.body());
      assertEquals("lora_path", reply.json().at("/error/param").asText());
      String models = RawHttp.get(server.baseUrl(), "/models").body();
      assertFalse(models.contains(broken.getFileName().toString()), models);
    }
    RawHttp.Reply shapes =
        RawHttp.post(
            server.baseUrl(),
            "/load_lora_adapter",
            "{\"lora_name\":\"x\",\"lora_path\":\"" + wrongShapes + "\"}");
    assertTrue(shapes.json().at("/error/message").asText().contains("shape"), shapes.body());
  }

  @Test
  void aClientThatLeavesStopsItsGenerationWholeOrStreamed() throws Exception {
    // Left alone, this request runs to its budget: a stop before it is the cancellation's doing.
    GenerationResult natural =
        engine.generate(
            new GenerationRequest(
                "river town", "", SamplingParams.greedy(), BUDGET, List.of(), null));
    assertEquals(FinishReason.LENGTH, natural.finishReason());
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(OpenAiServer.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    log.addAppender(lines);
    ch.qos.logback.classic.Level level = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    for (boolean stream : new boolean[] {false, true}) {
      long before = engine.counters().decodedTokens();
      int budget = BUDGET;
      String body =
          "{\"model\":\"tiny\",\"prompt\":\"river town\",\"temperature\":0,\"max_tokens\":"
              + budget
              + ",\"stream\":"
              + stream
              + "}";
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort())) {
        OutputStream out = s.getOutputStream();
        out.write(
            ("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n"
                    + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        // Wait until the engine is decoding this request, then leave.
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (engine.counters().decodedTokens() - before < 10 && System.nanoTime() < deadline) {
          sleep(5);
        }
        InputStream ignored = s.getInputStream();
        assertTrue(ignored != null);
      }
      long closedAt = engine.counters().decodedTokens() - before;
      assertTrue(closedAt >= 10, "the engine was decoding this request: " + closedAt);
      assertTrue(closedAt < budget / 2, "still early in the generation when the client left: " + closedAt);
      // The generation stops: the decoded count settles well before the budget.
      long last = -1;
      long now = engine.counters().decodedTokens();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (now != last && System.nanoTime() < deadline) {
        last = now;
        sleep(1000);
        now = engine.counters().decodedTokens();
      }
      long total = now - before;
      System.out.printf("client left at %d tokens; generation stopped at %d of %d (stream %s)%n",
          closedAt, total, budget, stream);
      assertEquals(last, now, "decoding stopped");
      assertTrue(
          total < budget,
          (stream ? "streamed" : "whole") + ": cancelled after " + total + " of " + budget + " tokens");
    }
    // The engine still serves afterwards.
    assertEquals(200, RawHttp.post(server.baseUrl(), "/completions", SMALL).status());
    log.detachAppender(lines);
    log.setLevel(level);
    List<String> said = lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    assertEquals(
        2,
        said.stream().filter(l -> l.startsWith("INFO") && l.contains("closed the connection")).count(),
        "one INFO line per client that left: " + said);
    assertTrue(said.stream().noneMatch(l -> l.startsWith("ERROR") || l.startsWith("WARN")), said.toString());
    assertTrue(lines.list.stream().allMatch(e -> e.getThrowableProxy() == null), "no stack trace");
  }

  private static java.net.URI URI() {
    return java.net.URI.create(server.baseUrl().toString().replace("/v1", ""));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A float32 safetensors file of zeros with the given tensor names and shapes. */
  private static void writeSafetensors(Path file, Object... nameShape) throws Exception {
    StringBuilder header = new StringBuilder("{");
    long offset = 0;
    for (int i = 0; i < nameShape.length; i += 2) {
      long[] shape = (long[]) nameShape[i + 1];
      long bytes = 4;
      for (long d : shape) {
        bytes *= d;
      }
      header
          .append(i == 0 ? "" : ",")
          .append('"')
          .append(nameShape[i])
          .append("\":{\"dtype\":\"F32\",\"shape\":")
          .append(java.util.Arrays.toString(shape).replace(" ", ""))
          .append(",\"data_offsets\":[")
          .append(offset)
          .append(',')
          .append(offset + bytes)
          .append("]}");
      offset += bytes;
    }
    header.append('}');
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer buf =
        java.nio.ByteBuffer.allocate(8 + h.length + (int) offset)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    buf.putLong(h.length).put(h);
    Files.write(file, buf.array());
  }
}
