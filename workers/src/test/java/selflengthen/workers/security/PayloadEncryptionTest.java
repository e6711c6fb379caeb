package selflengthen.workers.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.common.v1.WorkflowType;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import selflengthen.workers.server.EmbeddedTemporal;
import selflengthen.workflows.SelfLengthenRun;
import selflengthen.workflows.TaskQueues;

/**
 * Payload encryption end to end on the embedded server: what the server stores cannot be read,
 * a client with the key reads the result, a client with another key or none fails saying why.
 */
@Tag("integration")
class PayloadEncryptionTest {
  static final String SECRET_RUN_ID = "run-with-a-confidential-name-4711";
  static final String SECRET_MODEL = "/models/confidential-checkpoint";

  static EmbeddedTemporal server;
  static EncryptionKey key;
  static TemporalConnection worker;
  static WorkerHost host;
  @TempDir static Path dir;

  @BeforeAll
  static void start() {
    server = EmbeddedTemporal.start(0);
    key = EncryptionKey.of(randomKey());
    worker = connect(key);
    host = WorkerHost.start(new WorkerContext(DataStore.open(dir), 2, List.of(TaskQueues.CONTROL),
        worker.address(), worker.namespace(), worker.client()),
        (queue, w, ctx) -> w.registerWorkflowImplementationTypes(ValidatingRun.class),
        WorkerHost.ServerKind.IN_MEMORY_HERE);
  }

  @AfterAll
  static void stop() {
    host.shutdown(Duration.ofSeconds(5));
    worker.close();
    server.close();
  }

  static byte[] randomKey() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return k;
  }

  static TemporalConnection connect(EncryptionKey k) {
    ConnectionSettings s = ConnectionSettings.plain(server.address(), "default");
    return TemporalConnection.connect(k == null ? s : s.withEncryption(k), Duration.ofSeconds(10));
  }

  static RunSpec spec() {
    return RunSpec.newBuilder()
        .setRunId(SECRET_RUN_ID)
        .setRounds(1)
        .setModels(Models.newBuilder().setBaseModel(SECRET_MODEL))
        .setSelfInstruct(SelfInstruct.newBuilder().setSeedFile("/seeds.jsonl"))
        .build();
  }

  static String start(TemporalConnection conn, String workflowId) {
    SelfLengthenRun run = conn.client().newWorkflowStub(SelfLengthenRun.class,
        WorkflowOptions.newBuilder().setWorkflowId(workflowId).setTaskQueue(TaskQueues.CONTROL).build());
    WorkflowClient.start(run::run, spec(), null);
    return workflowId;
  }

  /** The history exactly as the server keeps it: fetched through the raw service stubs, no codec. */
  static History storedHistory(String workflowId) {
    return worker.stubs().blockingStub().getWorkflowExecutionHistory(
        GetWorkflowExecutionHistoryRequest.newBuilder()
            .setNamespace("default")
            .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
            .build()).getHistory();
  }

  static boolean contains(byte[] haystack, String needle) {
    return new String(haystack, StandardCharsets.ISO_8859_1).contains(needle);
  }

  @Test
  void theServerStoresCiphertextAndAClientWithTheKeyReadsTheResult() {
    String id = start(worker, "encrypted-run");
    RunResult result = worker.client().newUntypedWorkflowStub(id).getResult(RunResult.class);
    assertEquals(SECRET_RUN_ID, result.getRunId(), "the key holder reads the result");

    History stored = storedHistory(id);
    assertFalse(contains(stored.toByteArray(), SECRET_RUN_ID), "run id readable in the stored history");
    assertFalse(contains(stored.toByteArray(), SECRET_MODEL), "model path readable in the stored history");

    List<Payload> payloads = List.of(
        stored.getEvents(0).getWorkflowExecutionStartedEventAttributes().getInput().getPayloads(0),
        stored.getEventsList().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED)
            .map(HistoryEvent::getWorkflowExecutionCompletedEventAttributes)
            .findFirst().orElseThrow().getResult().getPayloads(0));
    for (Payload p : payloads) {
      assertEquals("binary/encrypted", p.getMetadataOrThrow("encoding").toStringUtf8());
      assertEquals(key.id(), p.getMetadataOrThrow(PayloadEncryption.KEY_ID).toStringUtf8());
      assertFalse(contains(p.toByteArray(), SECRET_RUN_ID));
    }
  }

  @Test
  void theSamePayloadEncryptsDifferentlyEachTime() {
    PayloadEncryption codec = PayloadEncryption.with(key);
    Payload plain = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8("{\"run_id\":\"" + SECRET_RUN_ID + "\"}"))
        .build();
    Payload a = codec.encode(List.of(plain)).get(0);
    Payload b = codec.encode(List.of(plain)).get(0);
    assertNotEquals(a.getData(), b.getData(), "a fresh nonce per payload");
    assertEquals(plain, codec.decode(List.of(a)).get(0));
    assertEquals(plain, codec.decode(List.of(plain)).get(0), "plain payloads pass through");

    byte[] tampered = a.getData().toByteArray();
    tampered[tampered.length - 1] ^= 1;
    PayloadCodecException e = assertThrows(PayloadCodecException.class,
        () -> codec.decode(List.of(a.toBuilder().setData(ByteString.copyFrom(tampered)).build())));
    assertTrue(e.getMessage().contains("does not decrypt"), e.getMessage());
  }

  @Test
  void aWrongKeyOrNoKeyFailsSayingWhichKeyIsNeeded() {
    String id = start(worker, "encrypted-run-2");
    worker.client().newUntypedWorkflowStub(id).getResult(RunResult.class);

    EncryptionKey other = EncryptionKey.of(randomKey());
    try (TemporalConnection wrong = connect(other)) {
      Exception e = assertThrows(Exception.class,
          () -> wrong.client().newUntypedWorkflowStub(id).getResult(RunResult.class));
      String message = messages(e);
      assertTrue(message.contains("payload is encrypted with key " + key.id() + " but this process has key "
          + other.id()), message);
    }
    try (TemporalConnection none = connect(null)) {
      Exception e = assertThrows(Exception.class,
          () -> none.client().newUntypedWorkflowStub(id).getResult(RunResult.class));
      String message = messages(e);
      assertTrue(message.contains("payload is encrypted with key " + key.id() + " and this process has no"
          + " encryption key"), message);
    }
  }

  @Test
  void aPlainJsonStartFromTheTemporalCliRunsOnEncryptingWorkers() {
    Payload input = Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8("{\"run_id\":\"cli-run\",\"models\":{\"base_model\":\"/m\"},"
            + "\"self_instruct\":{\"seed_file\":\"/s.jsonl\"}}"))
        .build();
    worker.stubs().blockingStub().startWorkflowExecution(StartWorkflowExecutionRequest.newBuilder()
        .setNamespace("default")
        .setWorkflowId("cli-run")
        .setWorkflowType(WorkflowType.newBuilder().setName(SelfLengthenRun.TYPE))
        .setTaskQueue(TaskQueue.newBuilder().setName(TaskQueues.CONTROL))
        .setInput(io.temporal.api.common.v1.Payloads.newBuilder().addPayloads(input))
        .setRequestId(UUID.randomUUID().toString())
        .build());
    assertEquals("cli-run", worker.client().newUntypedWorkflowStub("cli-run").getResult(RunResult.class).getRunId());
  }

  static String messages(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }
}
