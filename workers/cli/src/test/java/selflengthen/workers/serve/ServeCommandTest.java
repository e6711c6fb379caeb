package selflengthen.workers.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import selflengthen.model.api.GenerationRequest;
import selflengthen.workers.cli.ServeCommand;

class ServeCommandTest {
  @TempDir Path tmp;

  private record Run(int exitCode, String out, String err) {}

  private static Run run(ServeCommand command, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void servesTheLoadedModelAndItsAdaptersUntilStopped() throws Exception {
    Path checkpoint = Files.createDirectories(tmp.resolve("qwen-tiny"));
    Path adapter = OpenAiServerTest.adapterDir(tmp.resolve("gen-adapter"));
    Path keyFile = Files.writeString(tmp.resolve("key"), "serve-key-1\n");
    EchoLanguageModel engine = new EchoLanguageModel();
    AtomicReference<Path> loadedFrom = new AtomicReference<>();
    ServeCommand command =
        new ServeCommand(
            dir -> {
              loadedFrom.set(dir);
              return engine;
            });
    CompletableFuture<Run> finished =
        CompletableFuture.supplyAsync(
            () ->
                run(
                    command,
                    "--model",
                    checkpoint.toString(),
                    "--adapter",
                    "generator=" + adapter,
                    "--port",
                    "0",
                    "--api-key-file",
                    keyFile.toString(),
                    "--max-batch",
                    "4"));
    OpenAiServer server = command.started().get(10, TimeUnit.SECONDS);
    try {
      assertEquals(checkpoint, loadedFrom.get());
      assertTrue(server.address().getAddress().isLoopbackAddress(), "binds 127.0.0.1 by default");
      RawHttp.Reply models =
          RawHttp.get(server.baseUrl(), "/models", "Authorization", "Bearer serve-key-1");
      assertEquals(200, models.status(), models.body());
      assertEquals("qwen-tiny", models.json().get("data").get(0).get("id").asText());
      assertEquals("generator", models.json().get("data").get(1).get("id").asText());
      RawHttp.Reply reply =
          RawHttp.post(
              server.baseUrl(),
              "/completions",
              "{\"model\":\"generator\",\"prompt\":\"hi\"}",
              "Authorization",
              "Bearer serve-key-1");
      assertEquals(200, reply.status(), reply.body());
      GenerationRequest seen = engine.requests.get(0);
      assertEquals(adapter.toAbsolutePath().normalize().toString(), seen.adapter());
      assertEquals(4096, seen.maxNewTokens(), "the default max tokens");
      assertEquals(401, RawHttp.get(server.baseUrl(), "/models").status());
    } finally {
      server.stop(java.time.Duration.ZERO);
    }
    Run run = finished.get(10, TimeUnit.SECONDS);
    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("qwen-tiny, generator at http://127.0.0.1:"), run.out());
    assertTrue(engine.closed, "the model is closed when the server stops");
  }

  @Test
  void theDefaultLoaderSaysInOneLineWhatItCannotLoad() {
    Run run =
        run(new ServeCommand(), "--model", tmp.resolve("no-checkpoint").toString(), "--port", "0");
    assertEquals(1, run.exitCode());
    List<String> lines = run.err().lines().toList();
    assertEquals(1, lines.size(), run.err());
    assertTrue(lines.get(0).startsWith("serve: cannot load "), run.err());
  }

  @Test
  void usageErrorsAreOneClearLine() throws Exception {
    EchoLanguageModel engine = new EchoLanguageModel();
    Run notAnAdapter =
        run(new ServeCommand(dir -> engine), "--model", tmp.toString(), "--adapter", "x=" + tmp);
    assertEquals(2, notAnAdapter.exitCode());
    assertTrue(
        notAnAdapter.err().contains("--adapter x: " + tmp + " has no adapter_config.json"),
        notAnAdapter.err());

    Run bothKeys =
        run(
            new ServeCommand(dir -> engine),
            "--model",
            tmp.toString(),
            "--api-key-env",
            "K",
            "--api-key-file",
            "f");
    assertEquals(2, bothKeys.exitCode());
    assertTrue(bothKeys.err().contains("mutually exclusive"), bothKeys.err());

    Run unsetKey =
        run(
            new ServeCommand(dir -> engine),
            "--model",
            tmp.toString(),
            "--api-key-env",
            "SELFLENGTHEN_NO_SUCH_VAR");
    assertEquals(2, unsetKey.exitCode());
    assertTrue(unsetKey.err().contains("SELFLENGTHEN_NO_SUCH_VAR"), unsetKey.err());

    Run failingLoad =
        run(
            new ServeCommand(
                dir -> {
                  throw new IllegalStateException("config.json is missing");
                }),
            "--model",
            tmp.toString());
    assertEquals(1, failingLoad.exitCode());
    assertEquals(
        "serve: cannot load " + tmp + ": config.json is missing", failingLoad.err().strip());
    assertTrue(engine.requests.isEmpty());
  }
}
