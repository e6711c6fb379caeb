package selflengthen.workers.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import selflengthen.store.DataStore;
import selflengthen.v1.Models;
import selflengthen.v1.RunResult;
import selflengthen.v1.RunSpec;
import selflengthen.v1.SelfInstruct;
import selflengthen.workers.ConnectionSettings;
import selflengthen.workers.TemporalConnection;
import selflengthen.workers.ValidatingRun;
import selflengthen.workers.WorkerContext;
import selflengthen.workers.WorkerHost;
import selflengthen.workers.security.PayloadEncryption;
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * The API key and the encryption key never show: not in toString of anything that holds them, not
 * in CLI output or errors (even with --verbose), not in any log line at DEBUG while a client and a
 * worker connect with them and run a workflow.
 */
@Tag("integration")
class NoSecretsInOutputTest {
  static final String API_KEY = "sl-api-key-DO-NOT-LEAK-93f1c";

  @TempDir Path dir;
  EmbeddedTemporal server;
  ListAppender<ILoggingEvent> logs;
  Logger root;
  Level rootLevel;
  byte[] key;
  Path keyFile;
  Path apiKeyFile;

  @BeforeEach
  void start() throws Exception {
    server = EmbeddedTemporal.start(0);
    key = new byte[32];
    new SecureRandom().nextBytes(key);
    keyFile = dir.resolve("payload.key");
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
    apiKeyFile = dir.resolve("api.key");
    Files.writeString(apiKeyFile, API_KEY);
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = root.getLevel();
    logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.DEBUG);
  }

  @AfterEach
  void stop() {
    root.setLevel(rootLevel);
    root.detachAppender(logs);
    server.close();
  }

  /** Every form the secrets could take in text. */
  List<String> secrets() {
    return List.of(API_KEY, Base64.getEncoder().encodeToString(key), HexFormat.of().formatHex(key),
        Base64.getEncoder().encodeToString(key).substring(0, 16));
  }

  void assertClean(String where, String text) {
    for (String s : secrets()) {
      assertFalse(text.contains(s), where + " shows a secret: " + text);
    }
  }

  String logText() {
    StringBuilder b = new StringBuilder();
    for (ILoggingEvent e : new ArrayList<>(logs.list)) {
      b.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        b.append(ThrowableProxyUtil.asString(e.getThrowableProxy())).append('\n');
      }
    }
    return b.toString();
  }

  record Result(int code, String out, String err) {}

  Result cli(String... args) {
    CommandLine cl = Main.commandLine(() -> (q, w, c) -> {});
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return new Result(cl.execute(args), out.toString(), err.toString());
  }

  ClientOptions options(String... args) {
    ClientOptions o = new ClientOptions();
    new CommandLine(o).parseArgs(args);
    return o;
  }

  @Test
  void keysNeverShowInToStringLogsOrCliOutput() {
    ConnectionSettings settings = options("--address", server.address(), "--tls=false",
        "--api-key-file", apiKeyFile.toString(), "--encryption-key-file", keyFile.toString()).settings();
    assertTrue(settings.apiKey() != null && settings.encryption() != null);
    assertEquals(API_KEY, settings.apiKey().value(), "the key itself is read");
    for (Object o : List.of(settings, settings.apiKey(), settings.encryption(), settings.tls(),
        PayloadEncryption.with(settings.encryption()))) {
      assertClean(o.getClass().getSimpleName() + ".toString", o.toString());
    }
    assertTrue(settings.toString().contains("from file " + apiKeyFile), settings.toString());
    assertClean("worker banner", WorkerCommand.security(settings));

    try (TemporalConnection conn = TemporalConnection.connect(settings, Duration.ofSeconds(10))) {
      assertClean("service stubs options", conn.stubs().getOptions().toString());
      WorkerHost host = WorkerHost.start(new WorkerContext(DataStore.open(dir.resolve("data")), 1,
          List.of(TaskQueues.CONTROL), conn.address(), conn.namespace(), conn.client()),
          (q, w, c) -> w.registerWorkflowImplementationTypes(ValidatingRun.class), WorkerHost.ServerKind.IN_MEMORY_HERE);
      try {
        SelfLengthenRun run = conn.client().newWorkflowStub(SelfLengthenRun.class,
            WorkflowOptions.newBuilder().setWorkflowId("quiet").setTaskQueue(TaskQueues.CONTROL).build());
        WorkflowClient.start(run::run, RunSpec.newBuilder().setRunId("quiet")
            .setModels(Models.newBuilder().setBaseModel("/m"))
            .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile("/s.jsonl")).build(), null);
        assertEquals("quiet", conn.client().newUntypedWorkflowStub("quiet").getResult(RunResult.class).getRunId());
      } finally {
        host.shutdown(Duration.ofSeconds(5));
      }
    }

    Result status = cli("status", "nothing-here", "--verbose", "--address", server.address(), "--tls=false",
        "--api-key-file", apiKeyFile.toString(), "--encryption-key-file", keyFile.toString());
    assertEquals(1, status.code());
    assertTrue(status.err().contains("no run 'nothing-here'"), status.err());
    assertClean("CLI output", status.out() + status.err());

    assertTrue(logs.list.size() > 10, "DEBUG logging was captured");
    assertClean("logs", logText());
  }

  @Test
  void aMalformedKeyFileIsNamedButNotShown() throws Exception {
    String almostKey = "c2VjcmV0IGJ1dCBzaG9ydA";
    Path bad = dir.resolve("bad.key");
    Files.writeString(bad, almostKey);
    Result r = cli("status", "r1", "--address", server.address(), "--encryption-key-file", bad.toString(), "--verbose");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("the encryption key in file " + bad + " is not 32 bytes"), r.err());
    assertFalse(r.err().contains(almostKey), r.err());

    Result both = cli("status", "r1", "--address", server.address(), "--api-key-file", apiKeyFile.toString(),
        "--api-key-env", "SOME_VAR");
    assertEquals("error: give the API key once: --api-key-env or --api-key-file\n", both.err());

    Result unset = cli("status", "r1", "--address", server.address(), "--api-key-env",
        "SELFLENGTHEN_TEST_VARIABLE_THAT_IS_NOT_SET");
    assertEquals("error: environment variable SELFLENGTHEN_TEST_VARIABLE_THAT_IS_NOT_SET is not set\n", unset.err());
  }
}
